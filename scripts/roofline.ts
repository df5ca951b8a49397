// The roofline figure of the bench's backbone calls: the FLOPs of a call from the model config and its token
// counts, and the GEMM peak it is compared with, measured on onnxruntime-node in the same run (graph-calls.ts).
//
// FLOPs of one backbone call (2 per multiply-add; matrix products only: norms, rotary embedding, softmax and the
// elementwise nodes are left out), with d = d_model, q = n_heads * head_dim, kv = n_kv_heads * head_dim, m =
// mlp_hidden_size, T tokens run, P keys in the past cache, W positions whose text logits the call computes, V the
// embedding (vocabulary) size:
//   2 * n_layers * T * (d*q + 2*d*kv + q*d + 3*d*m)      projections and SwiGLU of the text branch
// + 2 * n_layers * T * 2*q*(P + T)                        attention scores and their values (every key: bidirectional)
// + 2 * W * d * V                                         the language-model head at the W positions
// and, for the mixed graph (`backbone`), which runs the generation branch on every token and keeps one branch per
// token (dg = d_model_gen, mg = mlp_hidden_size_gen):
// + 2 * n_layers * T * (dg*q + 2*dg*kv + 3*dg*mg)
import * as ort from 'onnxruntime-node';
import { matmulModel } from './onnx-matmul.js';

export interface BackboneDims {
  d_model: number;
  n_layers: number;
  n_heads: number;
  n_kv_heads: number;
  mlp_hidden_size: number;
  d_model_gen: number;
  mlp_hidden_size_gen: number;
  embedding_size: number;
}

/** FLOPs of one backbone call of `graph` (above), for a batch of one row. */
export function callFlops(
  c: BackboneDims,
  headDim: number,
  graph: string,
  call: { tokens: number; past: number; logits: number },
): number {
  const [d, q, kv] = [c.d_model, c.n_heads * headDim, c.n_kv_heads * headDim];
  const T = call.tokens;
  let perToken = d * q + 2 * d * kv + q * d + 3 * d * c.mlp_hidden_size + 2 * q * (call.past + T);
  if (graph === 'backbone') perToken += c.d_model_gen * (q + 2 * kv) + 3 * c.d_model_gen * c.mlp_hidden_size_gen;
  return 2 * c.n_layers * T * perToken + 2 * call.logits * d * c.embedding_size;
}

/** A model-shaped GEMM, [m x k] · [k x n] with the right operand constant. */
export interface GemmShape {
  m: number;
  k: number;
  n: number;
}

/** The GEMMs the peak is the best of: the MLP's up-projection at the rows of a prefill, an 80-token step and a
 *  16-token pass, and a square 512 one. */
export const gemmShapes = (c: BackboneDims, promptTokens: number): GemmShape[] => [
  { m: promptTokens, k: c.d_model, n: c.mlp_hidden_size },
  { m: 80, k: c.d_model, n: c.mlp_hidden_size },
  { m: 16, k: c.d_model, n: c.mlp_hidden_size },
  { m: 512, k: 512, n: 512 },
];

export const gemmFlops = (g: GemmShape): number => 2 * g.m * g.k * g.n;
export const gemmName = (g: GemmShape): string => `[${g.m}x${g.k}]·[${g.k}x${g.n}]`;

/** A session running the GEMM and its input. */
export async function gemmSession(
  g: GemmShape,
  options: ort.InferenceSession.SessionOptions,
): Promise<{ session: ort.InferenceSession; input: Record<string, ort.Tensor> }> {
  const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  const session = await ort.InferenceSession.create(matmulModel(g.m, g.k, g.n, random(g.k * g.n)), options);
  return { session, input: { A: new ort.Tensor('float32', random(g.m * g.k), [g.m, g.k]) } };
}
