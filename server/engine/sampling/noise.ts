// Token choice from logits, for graphs that return the active block's logits (sampling/noise.py): float64
// Gumbel-max sampling with temperature (greedy argmax at 0); the confidence is the softmax probability of the
// chosen token under the untempered logits. The PRNG is seeded per request; no bit parity with torch.
import type { Candidates } from './types.js';

export interface UniformSource {
  random(): number; // [0, 1)
}

/** logits: flat [positions * vocab]. */
export function chooseTokens(
  logits: ArrayLike<number>,
  vocab: number,
  temperature: number,
  rng: UniformSource | null,
): Candidates {
  if (temperature > 0 && rng === null) throw new Error('sampling with temperature needs a seeded random source');
  const positions = logits.length / vocab;
  const ids = new Int32Array(positions);
  const confidence = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    const o = p * vocab;
    let best = 0;
    let bestScore = -Infinity;
    for (let v = 0; v < vocab; v++) {
      const l = logits[o + v]!;
      // log of exp(l) / (-log u)^T, compared in log space to avoid overflow
      const score = temperature > 0 ? l - temperature * Math.log(-Math.log(rng!.random())) : l;
      if (score > bestScore) [best, bestScore] = [v, score];
    }
    ids[p] = best;
    confidence[p] = softmaxProbability(logits, o, vocab, best);
  }
  return { ids, confidence };
}

/** The softmax probability of token `id` over logits[o, o + vocab). */
export function softmaxProbability(logits: ArrayLike<number>, o: number, vocab: number, id: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[o + v]!);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[o + v]! - max);
  return Math.exp(logits[o + id]! - max) / sum;
}
