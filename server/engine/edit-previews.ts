// Streamed edits' previews: every few image passes, each streamed job's VQ canvas decoded by the package's VQ
// decoder into a PNG. A position still masked takes the edit source's VQ code there, so the first preview is
// mostly the source (its VQ round trip) and every committed code replaces the source's at its position: the
// client sees the edit form over the image it sent. (The mask id has no codebook entry, and a fixed grey code
// would paint undecided regions a colour the model never chose.)
import { pngOf, toRgb } from './image/decoded.js';
import type { Model } from './model.js';
import type { Lease } from './ort/pool.js';

export interface Preview {
  png: Buffer;
  width: number;
  height: number;
}

/** Image passes that send a preview: every `every`-th, and the last. */
export const isPreviewPass = (nfe: number, steps: number, every: number): boolean => nfe % every === 0 || nfe === steps;

/** Previews of batch `rows` of the flat [batch * grid * grid] canvas, masked positions from `source` (same shape). */
export async function decodePreviews(
  m: Model,
  lease: Lease,
  rows: number[],
  canvas: Int32Array,
  source: Int32Array,
  grid: number,
): Promise<Preview[]> {
  const tokens = grid * grid;
  const mask = m.layout.image_mask_token_id;
  const filled = rows.flatMap((r) =>
    Array.from(canvas.subarray(r * tokens, (r + 1) * tokens), (t, p) => (t === mask ? source[r * tokens + p]! : t)),
  );
  const { pixels, size } = await m.runtime.vqDecode(lease, filled, rows.length, grid);
  return Promise.all(
    rows.map(async (_, k) => ({ png: await pngOf(toRgb(pixels, k, size)), width: size, height: size })),
  );
}
