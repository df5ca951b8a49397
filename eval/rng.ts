// Deterministic per-sample randomness for the MMMU-Pro fallback (Python's unseeded random.choice cannot be
// reproduced): the draw depends only on the seed and the sample key, not on order or subset.

/** FNV-1a 32-bit hash of a string's UTF-16 units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32 generator: uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator seeded by (seed, key). */
export function keyedRng(seed: number, key: string): () => number {
  return mulberry32(fnv1a(`${seed}:${key}`));
}
