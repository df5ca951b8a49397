// The deterministic stand-in for the model used by the sampler parity tests; the same hash as
// test/engine/py/sampling_cases.py (fake_candidates).
import type { Candidates, Denoise } from '../../server/engine/sampling/types.js';

function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Per position a token from `vocab` (a list, or 0..vocab-1) and a confidence in {1/8, ..., 1}, hashed from the
 *  whole row, so every commit changes the next pass's answers. */
export function fakeDenoiser(salt: number, length: number, vocab: number[] | number): Denoise {
  return (canvas: Int32Array): Candidates => {
    const ids = new Int32Array(canvas.length);
    const confidence = new Float64Array(canvas.length);
    for (let r = 0; r < canvas.length / length; r++) {
      let h = salt;
      for (let i = 0; i < length; i++) h = mix((h ^ ((canvas[r * length + i]! + i * 0x10001) >>> 0)) >>> 0);
      for (let p = 0; p < length; p++) {
        const m = mix((h ^ Math.imul(p, 0x9e3779b1)) >>> 0);
        ids[r * length + p] = Array.isArray(vocab) ? vocab[m % vocab.length]! : m % vocab;
        confidence[r * length + p] = (((m >>> 8) % 8) + 1) / 8;
      }
    }
    return { ids, confidence };
  };
}
