// Image sampler loop (sampling/image_loop.py sample_image): MaskGIT-style decoding of a grid x grid VQ canvas
// with the shift schedule, committing positions in the stratified order or by confidence. Guidance and
// temperature live behind `denoise` (they act on logits); it gets the pass index for the cosine temperature.
import { stratifiedOrder } from './order.js';
import { transferCounts } from './schedules.js';
import { selectScheduled } from './select.js';
import type { AsyncStepCallback, Denoise } from './types.js';

export interface ImageSamplerOptions {
  grid: number;
  steps: number;
  shift?: number;
  order?: 'stratified' | 'confidence';
  orderSeed?: number;
  startStep?: number; // resume a partial canvas: the schedule continues here
}

export interface ImageSample {
  vq: Int32Array; // [batch * grid * grid] row-major VQ ids
  unmaskStep: Int32Array; // step at which each token was committed (-1: given in initVq)
  nfe: number;
}

export async function generateImage(
  denoise: Denoise,
  maskId: number,
  o: ImageSamplerOptions,
  batch = 1,
  initVq?: ArrayLike<number>,
  onStep?: AsyncStepCallback,
): Promise<ImageSample> {
  const tokens = o.grid * o.grid;
  const canvas = initVq ? Int32Array.from(initVq) : new Int32Array(batch * tokens).fill(maskId);
  if (canvas.length !== batch * tokens) throw new Error(`initVq has ${canvas.length} ids, expected ${batch * tokens}`);
  const unmaskStep = new Int32Array(batch * tokens).fill(-1);
  const counts = transferCounts(tokens, o.steps, 'shift', o.shift ?? 5);
  const order = stratifiedOrder(o.grid, o.grid, o.orderSeed ?? 42);
  const startStep = o.startStep ?? 0;
  let done = counts.slice(0, startStep).reduce((a, b) => a + b, 0);
  for (let step = startStep; step < o.steps; step++) {
    const masked = canvas.map((t) => (t === maskId ? 1 : 0));
    const out = await denoise(canvas, step);
    for (let r = 0; r < batch; r++) {
      const base = r * tokens;
      let chosen: boolean[];
      if ((o.order ?? 'stratified') === 'stratified') {
        chosen = new Array<boolean>(tokens).fill(false);
        for (const p of order.slice(done, done + counts[step]!)) chosen[p] = true;
      } else {
        const conf = Array.from({ length: tokens }, (_, p) =>
          masked[base + p] ? out.confidence[base + p]! : -Infinity,
        );
        chosen = selectScheduled(conf, counts[step]!);
      }
      for (let p = 0; p < tokens; p++) {
        if (chosen[p] && masked[base + p]) {
          canvas[base + p] = out.ids[base + p]!;
          unmaskStep[base + p] = step;
        }
      }
    }
    done += counts[step]!;
    await onStep?.(step - startStep + 1, canvas);
  }
  return { vq: canvas, unmaskStep, nfe: o.steps - startStep };
}
