// ORT-backed `Denoise` functions for the sampler loops in sampling/ (export/ort_denoise.py). Each pass runs only
// the batch rows still wanted (not cancelled; for text, still holding masks): the worker's cache is cut down to
// them, so a cancelled or finished job stops costing compute. Text rows whose current block is decoded also sit
// out the block's later passes (they stay in the cache). Rows not run get `fill` ids with confidence 0, which the
// samplers commit and then stop on (or, for a finished block, ignore).
import { LOC_SLOTS, type LocDenoise } from '../sampling/grounding.js';
import { combineGuidance, GUIDANCE_VARIANTS, type GuidanceScales } from '../sampling/guidance.js';
import { chooseTokens, type UniformSource } from '../sampling/noise.js';
import type { Candidates, Denoise } from '../sampling/types.js';
import type { Lease } from './pool.js';
import type { PackageRuntime, PromptCache, StepInput, StepOutput } from './runtime.js';

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

/** Tokens [start, start + span) of each of `rows` in [batch * width] data. */
const rowsOf = (
  data: ArrayLike<number>,
  rows: number[],
  width: number,
  start = 0,
  span = width - start,
): Int32Array => {
  const out = new Int32Array(rows.length * span);
  rows.forEach((r, i) => {
    for (let p = 0; p < span; p++) out[i * span + p] = data[r * width + start + p]!;
  });
  return out;
};

/** Runs `step` (built for the `active` rows, a subset of `wanted`, the rows the cache keeps); undefined when
 *  none is active (throws when every job of the batch was cancelled). */
async function stepRows(
  ctx: StepContext,
  wanted: number[],
  step: StepInput,
  againstWindow = false,
  active = wanted,
): Promise<StepOutput | undefined> {
  if (active.length === 0) {
    if (!Array.from({ length: ctx.batch }, (_, r) => r).some(ctx.live))
      throw new BatchCancelledError('every job of the batch was cancelled');
    return undefined;
  }
  if (wanted.length !== ctx.cache.rows.length) await ctx.rt.keepRows(ctx.lease, ctx.cache, wanted);
  return ctx.rt.step(ctx.lease, ctx.cache, step, againstWindow, active);
}

/** `stepRows`, its outputs spread over the whole batch ([batch * width]; a text input's outputs land from its
 *  `offset`); rows not run get `fill` with confidence 0. */
async function partialStep(
  ctx: StepContext,
  wanted: number[],
  width: number,
  fill: number,
  input: (rows: number[]) => StepInput,
  againstWindow = false,
  active = wanted,
): Promise<Candidates> {
  const ids = new Int32Array(ctx.batch * width).fill(fill);
  const confidence = new Float32Array(ctx.batch * width);
  const step = input(active);
  const out = await stepRows(ctx, wanted, step, againstWindow, active);
  if (!out) return { ids, confidence };
  const span = out.ids.length / active.length;
  const at = step.want === 'text' ? (step.offset ?? 0) + (step.logitsSpan?.[0] ?? 0) : 0;
  active.forEach((r, i) => {
    ids.set(out.ids.subarray(i * span, (i + 1) * span), r * width + at);
    confidence.set(out.confidence.subarray(i * span, (i + 1) * span), r * width + at);
  });
  return { ids, confidence };
}

/** Text canvases of `length` tokens (answers, edit plans with `genGrid` blank generation slots, LOC boxes
 *  with `vocabRange`). Returned ids are full-vocabulary ids. `dualCache` (answers only): a block's first pass
 *  keeps the window, its later passes run the block alone against it (sampling/text.py's dual cache).
 *  `temperature` > 0: candidates are drawn from the logits, batch row r from `rngs[r]`. */
export function textDenoiser(
  ctx: StepContext,
  length: number,
  o: {
    maskId: number;
    fillId: number;
    vocabRange?: [number, number];
    genGrid?: { grid: number; maskId: number };
    dualCache?: boolean;
    temperature?: number;
    rngs?: UniformSource[];
  },
): Denoise {
  if (o.dualCache && o.genGrid) throw new Error('the dual cache is for text canvases (no generation slots)');
  const temperature = o.temperature ?? 0;
  if (temperature > 0 && o.rngs?.length !== ctx.batch)
    throw new Error('sampling with temperature needs one random source per batch row');
  const sample = (rows: number[]) =>
    temperature > 0 ? { sample: { temperature, rngs: rows.map((r) => o.rngs![r]!) } } : {};
  return (canvas, _step, block) => {
    const masked = (r: number, from: number, to: number) =>
      canvas.subarray(r * length + from, r * length + to).includes(o.maskId);
    const wanted = ctx.cache.rows.filter((r) => ctx.live(r) && masked(r, 0, length));
    // the dual cache's window must hold every kept row, so a block's first pass runs them all
    const active =
      block && !(o.dualCache && block.first) ? wanted.filter((r) => masked(r, block.start, block.end)) : wanted;
    if (o.dualCache && block && !block.first) {
      const span = block.end - block.start;
      return partialStep(
        ctx,
        wanted,
        length,
        o.fillId,
        (rows) => ({
          canvas: rowsOf(canvas, rows, length, block.start, span),
          length: span,
          offset: block.start,
          want: 'text',
          vocabRange: o.vocabRange,
          ...sample(rows),
        }),
        true,
        active,
      );
    }
    return partialStep(
      ctx,
      wanted,
      length,
      o.fillId,
      (rows) => ({
        canvas: rowsOf(canvas, rows, length),
        length,
        want: 'text',
        vocabRange: o.vocabRange,
        ...sample(rows),
        ...(block && { logitsSpan: [block.start, block.end] as [number, number] }),
        ...(o.dualCache && block && { keepWindow: [block.start, block.end] as [number, number] }),
        ...(o.genGrid && {
          grid: o.genGrid.grid,
          genVq: new Int32Array(rows.length * o.genGrid.grid ** 2).fill(o.genGrid.maskId),
        }),
      }),
      false,
      active,
    );
  };
}

/** The LOC logits of the four slots of each `width`-token box canvas, [batch * 4 * bins] (zeros for rows not
 *  run), as the grounding sampler wants them. */
export function groundingDenoiser(ctx: StepContext, width: number, o: { locOffset: number; bins: number }): LocDenoise {
  const vocab = ctx.rt.config.embedding_size;
  return async (canvas) => {
    const logits = new Float32Array(ctx.batch * LOC_SLOTS * o.bins);
    const wanted = ctx.cache.rows.filter(ctx.live);
    const out = await stepRows(ctx, wanted, {
      canvas: rowsOf(canvas, wanted, width),
      length: width,
      want: 'text',
      logits: true,
      vocabRange: [o.locOffset, o.locOffset + o.bins],
      logitsSpan: [1, 1 + LOC_SLOTS],
    });
    wanted.forEach((r, i) => {
      for (let s = 0; s < LOC_SLOTS; s++) {
        const from = (i * LOC_SLOTS + s) * vocab + o.locOffset;
        logits.set(out!.logits!.subarray(from, from + o.bins), (r * LOC_SLOTS + s) * o.bins);
      }
    });
    return logits;
  };
}

/** VQ canvases (grid x grid per row) behind the fixed answer tokens `answer` [batch * length]. */
export function imageDenoiser(ctx: StepContext, answer: Int32Array, length: number, grid: number): Denoise {
  return (canvas) => {
    const wanted = ctx.cache.rows.filter(ctx.live);
    return partialStep(ctx, wanted, grid * grid, 0, (rows) => ({
      canvas: rowsOf(answer, rows, length),
      length,
      want: 'vq',
      grid,
      genVq: rowsOf(canvas, rows, grid * grid),
    }));
  };
}

/** A guided edit's VQ canvases: `ctx.cache` holds the guidance variants' prompts, cache row v * batch + r being
 *  variant v (cond, uncond_img, uncond) of batch row r. One run covers the live rows' variants; their VQ logits
 *  ([codebook] per position) are combined (sampling/guidance.ts) into greedy candidates. */
export function guidedImageDenoiser(
  ctx: StepContext,
  answer: Int32Array,
  length: number,
  grid: number,
  o: { scales: GuidanceScales; codebook: number },
): Denoise {
  const tokens = grid * grid;
  const variants = Array.from({ length: GUIDANCE_VARIANTS }, (_, v) => v);
  return async (canvas) => {
    const live = Array.from({ length: ctx.batch }, (_, r) => r).filter(ctx.live);
    const runs = variants.flatMap(() => live); // the batch row each cache row runs
    const ids = new Int32Array(ctx.batch * tokens);
    const confidence = new Float64Array(ctx.batch * tokens);
    const out = await stepRows(
      ctx,
      variants.flatMap((v) => live.map((r) => v * ctx.batch + r)),
      {
        canvas: rowsOf(answer, runs, length),
        length,
        want: 'vq',
        grid,
        genVq: rowsOf(canvas, runs, tokens),
        logits: true,
      },
    );
    if (!out) return { ids, confidence };
    const width = live.length * tokens * o.codebook;
    const logits = combineGuidance(
      variants.map((v) => out.logits!.subarray(v * width, (v + 1) * width)),
      o.scales,
    );
    const chosen = chooseTokens(logits, o.codebook, 0, null);
    const [chosenIds, chosenConfidence] = [chosen.ids as Int32Array, chosen.confidence as Float64Array];
    live.forEach((r, i) => {
      ids.set(chosenIds.subarray(i * tokens, (i + 1) * tokens), r * tokens);
      confidence.set(chosenConfidence.subarray(i * tokens, (i + 1) * tokens), r * tokens);
    });
    return { ids, confidence };
  };
}
