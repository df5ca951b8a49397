// Valid-box candidates of a grounding pass (sampling/valid_box.py, greedy): the most probable box with x1 < x2
// and y1 < y2, each slot within its bin range (boxes.ts boxBinRanges), that agrees with the slots committed so
// far. Per axis (x1, x2) / (y1, y2): hi = argmax_b s_hi(b) + max_{a<b} s_lo(a) (a running max), then
// lo = argmax_{a<hi} s_lo(a); ties to the smallest hi, then the smallest lo. A masked slot scores bin v by its
// logit, a committed slot 0 at its bin and -Infinity elsewhere.
import { softmaxProbability } from './noise.js';
import type { Candidates } from './types.js';

export type BinRange = [number, number]; // inclusive

/** One row's candidates: logits [4 * bins] (x1, y1, x2, y2), committed [4] (the slot's bin, or -1 while
 *  masked), ranges [4]. Confidence: the candidate's softmax probability under the slot's LOC logits. */
export function boxCandidates(
  logits: ArrayLike<number>,
  committed: ArrayLike<number>,
  ranges: BinRange[],
  bins: number,
): Candidates {
  const score = (slot: number, v: number): number => {
    if (v < ranges[slot]![0] || v > ranges[slot]![1]) return -Infinity;
    const fixed = committed[slot]!;
    return fixed < 0 ? logits[slot * bins + v]! : v === fixed ? 0 : -Infinity;
  };
  const ids = new Int32Array(4);
  for (const [lo, hi] of [
    [0, 2],
    [1, 3],
  ] as const) {
    let run = -Infinity;
    let runAt = -1;
    let best = -Infinity;
    for (let b = 0; b < bins; b++) {
      const total = score(hi, b) + run; // pairs (a < b, b)
      if (total > best) [best, ids[hi], ids[lo]] = [total, b, runAt];
      const s = score(lo, b);
      if (s > run) [run, runAt] = [s, b];
    }
  }
  const confidence = Float64Array.from(ids, (v, slot) => softmaxProbability(logits, slot * bins, bins, v));
  return { ids, confidence };
}
