// Grounding driver (sampling/grounding.py generate_box): the canvas `<LOC_BEGIN> 4 x mask <LOC_END> <|eot_id|>`,
// each pass fills the most confident 4/steps LOC slots. `denoise` returns LOC bin indices (logits restricted to
// the LOC tokens) and their confidences.
import { selectScheduled } from './select.js';
import type { Denoise } from './types.js';

export const LOC_SLOTS = 4;
const WIDTH = LOC_SLOTS + 3;

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

export function groundingCanvas(ids: GroundingTokenIds, batch: number): Int32Array {
  const row = [ids.locBeginId, ...new Array<number>(LOC_SLOTS).fill(ids.maskId), ids.locEndId, ids.eotId];
  return Int32Array.from({ length: batch * WIDTH }, (_, i) => row[i % WIDTH]!);
}

export async function generateBox(denoise: Denoise, ids: GroundingTokenIds, steps: 1 | 2 | 4 = 1, batch = 1): Promise<GroundingSample> {
  if (![1, 2, 4].includes(steps)) throw new Error('grounding steps must be 1, 2 or 4');
  const canvas = groundingCanvas(ids, batch);
  for (let step = 0; step < steps; step++) {
    const out = await denoise(canvas, step);
    for (let r = 0; r < batch; r++) {
      const at = (p: number): number => r * WIDTH + p;
      const conf = Array.from({ length: WIDTH }, (_, p) => (canvas[at(p)] === ids.maskId ? out.confidence[at(p)]! : -Infinity));
      const chosen = selectScheduled(conf, LOC_SLOTS / steps);
      for (let p = 0; p < WIDTH; p++) {
        if (chosen[p] && canvas[at(p)] === ids.maskId) canvas[at(p)] = out.ids[at(p)]! + ids.locOffset;
      }
    }
  }
  const bins = Int32Array.from({ length: batch * LOC_SLOTS },
    (_, i) => canvas[Math.floor(i / LOC_SLOTS) * WIDTH + 1 + (i % LOC_SLOTS)]! - ids.locOffset);
  return { bins, tokens: canvas, nfe: steps };
}
