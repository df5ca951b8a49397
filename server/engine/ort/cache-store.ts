// Prompt caches kept inside a worker between backbone calls, so a step never ships the KV cache over the
// thread boundary (for a full-size model that is hundreds of MB per step).
import * as ort from 'onnxruntime-node';

export interface StoredCache {
  keys: ort.Tensor; // [layers, batch, heads, past, head_dim]
  values: ort.Tensor;
  genMask: ort.Tensor; // [batch, past] bool
  mask: BigInt64Array; // [batch, past] the prompt's attention mask
  batch: number;
  past: number;
}

/** attention_mask = the cache's mask ++ the current tokens' mask, row by row. */
export function joinMask(cache: StoredCache, current: BigInt64Array, length: number): ort.Tensor {
  const out = new BigInt64Array(cache.batch * (cache.past + length));
  for (let r = 0; r < cache.batch; r++) {
    out.set(cache.mask.subarray(r * cache.past, (r + 1) * cache.past), r * (cache.past + length));
    out.set(current.subarray(r * length, (r + 1) * length), r * (cache.past + length) + cache.past);
  }
  return new ort.Tensor('int64', out, [cache.batch, cache.past + length]);
}

/** The cache restricted to `rows` (in that order): dimension 1 of keys/values, 0 of the masks. */
export function sliceCache(c: StoredCache, rows: number[]): StoredCache {
  const [layers, batch, heads, past, hd] = c.keys.dims as [number, number, number, number, number];
  const pick = (t: ort.Tensor): ort.Tensor => {
    const src = t.data as Float32Array;
    const block = heads * past * hd;
    const out = new Float32Array(layers * rows.length * block);
    for (let l = 0; l < layers; l++) {
      rows.forEach((r, i) =>
        out.set(src.subarray((l * batch + r) * block, (l * batch + r + 1) * block), (l * rows.length + i) * block),
      );
    }
    return new ort.Tensor('float32', out, [layers, rows.length, heads, past, hd]);
  };
  const pickRows = <T extends Uint8Array | BigInt64Array>(src: T, make: (n: number) => T): T => {
    const out = make(rows.length * past);
    rows.forEach((r, i) => out.set(src.subarray(r * past, (r + 1) * past) as never, i * past));
    return out;
  };
  const genMask = pickRows(c.genMask.data as Uint8Array, (n) => new Uint8Array(n));
  return {
    keys: pick(c.keys),
    values: pick(c.values),
    genMask: new ort.Tensor('bool', genMask, [rows.length, past]),
    mask: pickRows(c.mask, (n) => new BigInt64Array(n)),
    batch: rows.length,
    past,
  };
}

/** The cache followed by a run's present keys/values [layers, batch, heads, length, head_dim], its gen mask and
 *  attention mask [batch, length]; the run's tokens in [hide[0], hide[1]) become invisible keys. */
export function appendPresent(
  c: StoredCache,
  keys: ort.Tensor,
  values: ort.Tensor,
  genMask: ort.Tensor,
  current: BigInt64Array,
  hide: [number, number],
): StoredCache {
  const [layers, batch, heads, length, hd] = keys.dims as [number, number, number, number, number];
  const past = c.past + length;
  const join = (a: ort.Tensor, b: ort.Tensor): ort.Tensor => {
    const [x, y] = [a.data as Float32Array, b.data as Float32Array];
    const out = new Float32Array(layers * batch * heads * past * hd);
    for (let lbh = 0; lbh < layers * batch * heads; lbh++) {
      out.set(x.subarray(lbh * c.past * hd, (lbh + 1) * c.past * hd), lbh * past * hd);
      out.set(y.subarray(lbh * length * hd, (lbh + 1) * length * hd), (lbh * past + c.past) * hd);
    }
    return new ort.Tensor('float32', out, [layers, batch, heads, past, hd]);
  };
  const gen = new Uint8Array(batch * past);
  const mask = new BigInt64Array(batch * past);
  const [cGen, nGen] = [c.genMask.data as Uint8Array, genMask.data as Uint8Array];
  for (let r = 0; r < batch; r++) {
    gen.set(cGen.subarray(r * c.past, (r + 1) * c.past), r * past);
    gen.set(nGen.subarray(r * length, (r + 1) * length), r * past + c.past);
    mask.set(c.mask.subarray(r * c.past, (r + 1) * c.past), r * past);
    for (let i = 0; i < length; i++)
      mask[r * past + c.past + i] = i >= hide[0] && i < hide[1] ? 0n : current[r * length + i]!;
  }
  return {
    keys: join(c.keys, keys),
    values: join(c.values, values),
    genMask: new ort.Tensor('bool', gen, [batch, past]),
    mask,
    batch,
    past,
  };
}

/** Per-row caches (any batch sizes, any past lengths) as one batch, each row left-padded to the longest past
 *  (padding: zero keys and values, attention mask 0), as a left-padded prefill would hold them. */
export function stackCaches(caches: StoredCache[]): StoredCache {
  if (caches.length === 1) return caches[0]!;
  const [layers, , heads, , hd] = caches[0]!.keys.dims as [number, number, number, number, number];
  const batch = caches.reduce((n, c) => n + c.batch, 0);
  const past = Math.max(...caches.map((c) => c.past));
  const keys = new Float32Array(layers * batch * heads * past * hd);
  const values = new Float32Array(keys.length);
  const genMask = new Uint8Array(batch * past);
  const mask = new BigInt64Array(batch * past);
  let row = 0;
  for (const c of caches) {
    const pad = past - c.past;
    const [k, v] = [c.keys.data as Float32Array, c.values.data as Float32Array];
    for (let l = 0; l < layers; l++) {
      for (let b = 0; b < c.batch; b++) {
        for (let h = 0; h < heads; h++) {
          const from = ((l * c.batch + b) * heads + h) * c.past * hd;
          const to = (((l * batch + row + b) * heads + h) * past + pad) * hd;
          keys.set(k.subarray(from, from + c.past * hd), to);
          values.set(v.subarray(from, from + c.past * hd), to);
        }
      }
    }
    for (let b = 0; b < c.batch; b++) {
      genMask.set((c.genMask.data as Uint8Array).subarray(b * c.past, (b + 1) * c.past), (row + b) * past + pad);
      mask.set(c.mask.subarray(b * c.past, (b + 1) * c.past), (row + b) * past + pad);
    }
    row += c.batch;
  }
  const dims = [layers, batch, heads, past, hd];
  return {
    keys: new ort.Tensor('float32', keys, dims),
    values: new ort.Tensor('float32', values, dims),
    genMask: new ort.Tensor('bool', genMask, [batch, past]),
    mask,
    batch,
    past,
  };
}
