// ORT-backed `Denoise` functions for the samplers in sampling/. Each pass runs only the batch rows still
// wanted (not cancelled; for text, still holding masks): the worker's cache is cut down to them, so a
// cancelled or finished job stops costing compute. Rows not run get `fill` ids with confidence 0, which
// the samplers commit and then stop on.
import type { Lease } from './ort/pool.js';
import type { PackageRuntime, PromptCache, StepInput } from './runtime.js';
import type { Candidates, Denoise } from './sampling/types.js';

export interface StepContext {
  rt: PackageRuntime;
  lease: Lease;
  cache: PromptCache;
  batch: number;
  live: (row: number) => boolean; // false once the row's job is cancelled
}

export class BatchCancelledError extends Error {
  override readonly name = 'AbortError';
}

const rowsOf = (data: ArrayLike<number>, rows: number[], width: number): Int32Array => {
  const out = new Int32Array(rows.length * width);
  rows.forEach((r, i) => {
    for (let p = 0; p < width; p++) out[i * width + p] = data[r * width + p]!;
  });
  return out;
};

/** Runs `input(rows)` for the wanted rows and spreads the outputs (`width` per row) over the whole batch. */
async function partialStep(ctx: StepContext, wanted: number[], width: number, fill: number,
  input: (rows: number[]) => StepInput): Promise<Candidates> {
  const ids = new Int32Array(ctx.batch * width).fill(fill);
  const confidence = new Float32Array(ctx.batch * width);
  if (wanted.length === 0) {
    if (!Array.from({ length: ctx.batch }, (_, r) => r).some(ctx.live)) throw new BatchCancelledError('every job of the batch was cancelled');
    return { ids, confidence };
  }
  if (wanted.length !== ctx.cache.rows.length) await ctx.rt.keepRows(ctx.lease, ctx.cache, wanted);
  const out = await ctx.rt.step(ctx.lease, ctx.cache, input(wanted));
  wanted.forEach((r, i) => {
    ids.set(out.ids.subarray(i * width, (i + 1) * width), r * width);
    confidence.set(out.confidence.subarray(i * width, (i + 1) * width), r * width);
  });
  return { ids, confidence };
}

/** Text canvases of `length` tokens (answers, edit plans with `genGrid` blank generation slots, LOC boxes
 *  with `vocabRange`). Returned ids are full-vocabulary ids. */
export function textDenoiser(ctx: StepContext, length: number, o: { maskId: number; fillId: number;
  vocabRange?: [number, number]; genGrid?: { grid: number; maskId: number } }): Denoise {
  return (canvas) => {
    const wanted = ctx.cache.rows.filter((r) => ctx.live(r) && canvas.subarray(r * length, (r + 1) * length).includes(o.maskId));
    return partialStep(ctx, wanted, length, o.fillId, (rows) => ({
      canvas: rowsOf(canvas, rows, length), length, want: 'text', vocabRange: o.vocabRange,
      ...(o.genGrid && { grid: o.genGrid.grid, genVq: new Int32Array(rows.length * o.genGrid.grid ** 2).fill(o.genGrid.maskId) }),
    }));
  };
}

/** LOC bins (ids relative to the first LOC token), as the grounding sampler wants them. */
export function groundingDenoiser(ctx: StepContext, width: number, o: { maskId: number; locOffset: number; bins: number }): Denoise {
  const text = textDenoiser(ctx, width, { maskId: o.maskId, fillId: o.locOffset, vocabRange: [o.locOffset, o.locOffset + o.bins] });
  return async (canvas, step) => {
    const out = await text(canvas, step);
    return { ids: Int32Array.from(out.ids, (id) => id - o.locOffset), confidence: out.confidence };
  };
}

/** VQ canvases (grid x grid per row) behind the fixed answer tokens `answer` [batch * length]. */
export function imageDenoiser(ctx: StepContext, answer: Int32Array, length: number, grid: number): Denoise {
  return (canvas) => {
    const wanted = ctx.cache.rows.filter(ctx.live);
    return partialStep(ctx, wanted, grid * grid, 0, (rows) => ({
      canvas: rowsOf(answer, rows, length), length, want: 'vq', grid, genVq: rowsOf(canvas, rows, grid * grid),
    }));
  };
}
