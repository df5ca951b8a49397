// The deterministic stand-in for the model used by the sampler parity tests; the same hash as
// test/engine/py/sampling_cases.py (fake_candidates).
import type { LocDenoise } from '../../server/engine/sampling/grounding.js';
import type { Candidates, Denoise } from '../../server/engine/sampling/types.js';

function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function rowHash(canvas: Int32Array, r: number, length: number, salt: number): number {
  let h = salt;
  for (let i = 0; i < length; i++) h = mix((h ^ ((canvas[r * length + i]! + i * 0x10001) >>> 0)) >>> 0);
  return h;
}

/** The LOC logits of the four slots (positions 1..4 of 7-token rows), each in {0, 1/8, ..., 7/8} per bin,
 *  hashed from the whole row (sampling_cases.py fake_loc_logits). */
export function fakeLocLogits(salt: number, bins: number): LocDenoise {
  return (canvas: Int32Array): Float64Array => {
    const rows = canvas.length / 7;
    const logits = new Float64Array(rows * 4 * bins);
    for (let r = 0; r < rows; r++) {
      const h = rowHash(canvas, r, 7, salt);
      for (let p = 1; p <= 4; p++) {
        for (let v = 0; v < bins; v++) {
          const m = mix((h ^ Math.imul(p, 0x9e3779b1) ^ Math.imul(v, 0x85ebca77)) >>> 0);
          logits[(r * 4 + p - 1) * bins + v] = ((m >>> 8) % 8) / 8;
        }
      }
    }
    return logits;
  };
}

/** Per position a token from `vocab` (a list, or 0..vocab-1) and a confidence in {1/8, ..., 1}, hashed from the
 *  whole row, so every commit changes the next pass's answers. */
export function fakeDenoiser(salt: number, length: number, vocab: number[] | number): Denoise {
  return (canvas: Int32Array): Candidates => {
    const ids = new Int32Array(canvas.length);
    const confidence = new Float64Array(canvas.length);
    for (let r = 0; r < canvas.length / length; r++) {
      const h = rowHash(canvas, r, length, salt);
      for (let p = 0; p < length; p++) {
        const m = mix((h ^ Math.imul(p, 0x9e3779b1)) >>> 0);
        ids[r * length + p] = Array.isArray(vocab) ? vocab[m % vocab.length]! : m % vocab;
        confidence[r * length + p] = (((m >>> 8) % 8) + 1) / 8;
      }
    }
    return { ids, confidence };
  };
}
