// Token choice from logits, for graphs that return the active block's logits (sampling/noise.py): float64
// Gumbel-max sampling with temperature (greedy argmax at 0); the confidence is the softmax probability of the
// chosen token under the untempered logits. The PRNG is seeded per request; no bit parity with torch.
import type { Candidates } from './types.js';

export interface UniformSource {
  random(): number; // [0, 1)
}

/** logits: flat [positions * vocab]. */
export function chooseTokens(logits: ArrayLike<number>, vocab: number, temperature: number, rng: UniformSource | null): Candidates {
  if (temperature > 0 && rng === null) throw new Error('sampling with temperature needs a seeded random source');
  const positions = logits.length / vocab;
  const ids = new Int32Array(positions);
  const confidence = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    const o = p * vocab;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) max = Math.max(max, logits[o + v]!);
    let best = 0;
    let bestScore = -Infinity;
    let sum = 0;
    for (let v = 0; v < vocab; v++) {
      const l = logits[o + v]!;
      sum += Math.exp(l - max);
      // log of exp(l) / (-log u)^T, compared in log space to avoid overflow
      const score = temperature > 0 ? l - temperature * Math.log(-Math.log(rng!.random())) : l;
      if (score > bestScore) [best, bestScore] = [v, score];
    }
    ids[p] = best;
    confidence[p] = Math.exp(logits[o + best]! - max) / sum;
  }
  return { ids, confidence };
}
