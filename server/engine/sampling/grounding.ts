// Grounding loop (sampling/grounding_loop.py sample_box): the canvas `<LOC_BEGIN> 4 x mask <LOC_END> <|eot_id|>`;
// each pass takes the valid-box candidates of the LOC logits (valid-box.ts) and commits the most confident
// 4/steps masked slots, so the box always has x2 > x1 and y2 > y1 (in pixels too, with the image's ranges).
import { selectScheduled } from './select.js';
import { boxCandidates, type BinRange } from './valid-box.js';

export const LOC_SLOTS = 4;
/** The answer canvas: `<LOC_BEGIN>`, the four slots, `<LOC_END>`, `<|eot_id|>`. */
export const LOC_CANVAS = LOC_SLOTS + 3;

export interface GroundingTokenIds {
  maskId: number;
  locOffset: number;
  locBeginId: number;
  locEndId: number;
  eotId: number;
}

export interface GroundingSample {
  bins: Int32Array; // [batch * 4] x1, y1, x2, y2
  tokens: Int32Array; // [batch * 7] the answer canvas
  nfe: number;
}

/** One pass over the flat [batch * 7] canvas: the LOC logits of the four slots, [batch * 4 * bins]. */
export type LocDenoise = (
  canvas: Int32Array,
  step: number,
) => Float32Array | Float64Array | Promise<Float32Array | Float64Array>;

export function groundingCanvas(ids: GroundingTokenIds, batch: number): Int32Array {
  const row = [ids.locBeginId, ...new Array<number>(LOC_SLOTS).fill(ids.maskId), ids.locEndId, ids.eotId];
  return Int32Array.from({ length: batch * LOC_CANVAS }, (_, i) => row[i % LOC_CANVAS]!);
}

/** `ranges`: per batch row, the slots' bin ranges (boxes.ts boxBinRanges of the row's image). */
export async function generateBox(
  denoise: LocDenoise,
  ids: GroundingTokenIds,
  ranges: BinRange[][],
  numBins: number,
  steps: 1 | 2 | 4 = 1,
): Promise<GroundingSample> {
  if (![1, 2, 4].includes(steps)) throw new Error('grounding steps must be 1, 2 or 4');
  const batch = ranges.length;
  const canvas = groundingCanvas(ids, batch);
  for (let step = 0; step < steps; step++) {
    const logits = await denoise(canvas, step);
    for (let r = 0; r < batch; r++) {
      const slots = canvas.subarray(r * LOC_CANVAS + 1, r * LOC_CANVAS + 1 + LOC_SLOTS);
      const committed = Array.from(slots, (t) => (t === ids.maskId ? -1 : t - ids.locOffset));
      const row = logits.subarray(r * LOC_SLOTS * numBins, (r + 1) * LOC_SLOTS * numBins);
      const out = boxCandidates(row, committed, ranges[r]!, numBins);
      const chosen = selectScheduled(
        committed.map((c, s) => (c < 0 ? out.confidence[s]! : -Infinity)),
        LOC_SLOTS / steps,
      );
      for (let s = 0; s < LOC_SLOTS; s++) if (chosen[s] && committed[s]! < 0) slots[s] = out.ids[s]! + ids.locOffset;
    }
  }
  const bins = Int32Array.from(
    { length: batch * LOC_SLOTS },
    (_, i) => canvas[Math.floor(i / LOC_SLOTS) * LOC_CANVAS + 1 + (i % LOC_SLOTS)]! - ids.locOffset,
  );
  return { bins, tokens: canvas, nfe: steps };
}
