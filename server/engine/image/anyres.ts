// Anyres geometry (lavida_r1/model/image_processing.py select_best_resolution, model/vision.py): the crop grid
// an image gets and how many `<image>` embeddings it becomes, without running the model.
import type { ModelConfig } from '../package/model-config.js';

/** The (width, height) candidate with the largest effective resolution, then the least waste. */
export function selectBestResolution(
  origW: number,
  origH: number,
  candidates: Array<[number, number]>,
): [number, number] {
  let best = candidates[0]!;
  let bestEffective = -1;
  let bestWaste = Infinity;
  for (const [width, height] of candidates) {
    const scale = Math.min(width / origW, height / origH);
    const effective = Math.min(Math.trunc(origW * scale) * Math.trunc(origH * scale), origW * origH);
    const waste = width * height - effective;
    if (effective > bestEffective || (effective === bestEffective && waste < bestWaste)) {
      [best, bestEffective, bestWaste] = [[width, height], effective, waste];
    }
  }
  return best;
}

/** The anyres resolution (width, height) in pixels of a width x height image: the best of the model's grid
 *  pinpoints, each a (cols, rows) multiple of the view size. */
export function anyresResolution(c: ModelConfig, width: number, height: number): [number, number] {
  const size = c.vision.image_size;
  return selectBestResolution(
    width,
    height,
    c.image_grid_pinpoints.map(([w, h]) => [w * size, h * size] as [number, number]),
  );
}

/** Tokens per side of one view after the 2x2 conv pooling (27 → 13 at 384 px upstream). */
export function pooledSide(c: ModelConfig): number {
  const patches = Math.floor(c.vision.image_size / c.vision.patch_size);
  const s = c.mm_spatial_pool_stride;
  return Math.floor((patches - s) / s) + 1;
}

/** Rows/cols of a (height, width) crop-feature map that hold the original image: [top, bottom, left, right]
 *  (LLaVA-NeXT's unpadding, integer arithmetic included). */
export function unpaddedShape(
  height: number,
  width: number,
  origW: number,
  origH: number,
): [number, number, number, number] {
  if (origW / origH > width / height) {
    const newH = Math.trunc(origH * (width / origW));
    const pad = Math.floor((height - newH) / 2);
    return [pad, height - pad, 0, width];
  }
  const newW = Math.trunc(origW * (height / origH));
  const pad = Math.floor((width - newW) / 2);
  return [0, height, pad, width - pad];
}

/** Number of `<image>` embeddings: base view + unpadded crop map with one newline per row. */
export function countImageTokens(c: ModelConfig, grid: [number, number], origW: number, origH: number): number {
  const side = pooledSide(c);
  const [cols, rows] = grid;
  const [top, bottom, left, right] = unpaddedShape(rows * side, cols * side, origW, origH);
  return side * side + (bottom - top) * (right - left + 1);
}

/** `<image>` embeddings of a width x height image (its anyres grid, as processAnyres crops it). */
export function imageTokenCount(c: ModelConfig, width: number, height: number): number {
  const size = c.vision.image_size;
  const [w, h] = anyresResolution(c, width, height);
  return countImageTokens(c, [Math.floor(w / size), Math.floor(h / size)], width, height);
}
