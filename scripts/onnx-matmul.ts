// A one-node ONNX model, Y = A · B with B a constant initializer (as the backbone's weights are), written as ONNX
// protobuf bytes by hand so the bench needs no Python to build it: the GEMM whose speed the roofline figure
// measures on onnxruntime-node (graph-calls.ts).

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  out.push(n);
  return out;
};

const cat = (...parts: Array<Uint8Array | number[]>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// protobuf fields: a varint (wire type 0) or length-delimited bytes (wire type 2)
const int = (field: number, v: number): Uint8Array => cat(varint(field * 8), varint(v));
const bytes = (field: number, ...payload: Uint8Array[]): Uint8Array => {
  const body = cat(...payload);
  return cat(varint(field * 8 + 2), varint(body.length), body);
};
const str = (field: number, s: string): Uint8Array => bytes(field, new TextEncoder().encode(s));

const FLOAT = 1; // TensorProto.DataType.FLOAT

/** ValueInfoProto of a float tensor: name, type.tensor_type { elem_type, shape { dim { dim_value } ... } }. */
const floatInfo = (name: string, dims: number[]): Uint8Array =>
  cat(str(1, name), bytes(2, bytes(1, int(1, FLOAT), bytes(2, ...dims.map((d) => bytes(1, int(1, d)))))));

/** ModelProto bytes (IR 8, opset 17) of Y[m, n] = A[m, k] · B[k, n], B the given constant. */
export function matmulModel(m: number, k: number, n: number, b: Float32Array): Uint8Array {
  if (b.length !== k * n) throw new Error(`B holds ${b.length} values, not ${k} x ${n}`);
  const node = cat(str(1, 'A'), str(1, 'B'), str(2, 'Y'), str(3, 'matmul'), str(4, 'MatMul'));
  const initializer = cat(
    int(1, k),
    int(1, n),
    int(2, FLOAT),
    str(8, 'B'),
    bytes(9, new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
  );
  const graph = cat(
    bytes(1, node),
    str(2, 'gemm'),
    bytes(5, initializer),
    bytes(11, floatInfo('A', [m, k])),
    bytes(12, floatInfo('Y', [m, n])),
  );
  return cat(int(1, 8), bytes(8, str(1, ''), int(2, 17)), bytes(7, graph));
}
