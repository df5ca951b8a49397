// The task pipelines over a batch of jobs (mirrors train/lavida_r1/export/ort_pipeline.py, which mirrors
// inference.py): VQA text, grounding boxes and instruction edits. One leased worker runs the whole batch;
// `live(i)` turns false when job i is cancelled, and the denoisers then stop running its row.
import { randomInt } from 'node:crypto';
import { decodePreviews, isPreviewPass, type Preview } from './edit-previews.js';
import { binsToBox, boxBinRanges, type Box } from './image/boxes.js';
import { pngOf, toRgb } from './image/decoded.js';
import { anyresOf, vqInputOf, type JobImage } from './image/prepare.js';
import type { RgbImage } from './image/rgb.js';
import type { Model } from './model.js';
import {
  groundingDenoiser,
  guidedImageDenoiser,
  imageDenoiser,
  textDenoiser,
  type StepContext,
} from './ort/denoisers.js';
import type { Lease } from './ort/pool.js';
import type { PromptCache, PromptRow } from './ort/runtime.js';
import { vqGridSize } from './package/model-config.js';
import { editSettings, type EditSettings } from './planning/edit-plan.js';
import { groundingSteps, type GroundingSteps } from './planning/ground-plan.js';
import { jobPromptIds } from './planning/prompt-layout.js';
import { textSettings } from './planning/text-plan.js';
import { generateBox, LOC_CANVAS, LOC_SLOTS } from './sampling/grounding.js';
import { GUIDANCE_VARIANTS, guidanceVariants, isGuided } from './sampling/guidance.js';
import { generateImage } from './sampling/image.js';
import { PyRandom } from './sampling/pyrandom.js';
import { generateText, type TextSamplerOptions } from './sampling/text.js';
import type { AsyncStepCallback, StepCallback } from './sampling/types.js';
import { decodeText, extractAnswer } from './text/answer.js';
import { editDraft, type Prompt } from './text/prompts.js';

export interface Job {
  prompt: Prompt; // the question (or a chat conversation), grounding request or edit instruction
  image: JobImage; // the server's are prepared off the event loop (prepare.ts)
  seed?: number; // VQA with temperature: the job's random source (default: a random seed)
  onStep?: (e: StepEvent) => void; // streaming: this job's canvas after every pass
}

/** A job's canvas after a pass: answer tokens (VQA, edit plan) or VQ ids (edit image, the mask id where undecided),
 *  with the canvas decoded to an image on an edit's preview passes (edit-previews.ts). */
export interface StepEvent {
  phase: 'text' | 'plan' | 'image';
  nfe: number; // passes of this phase so far
  tokens: number[];
  preview?: Preview;
}

/** Calls each job's onStep with its own row of the flat batch canvas. */
function fanOut(jobs: Job[], phase: StepEvent['phase'], width: number): StepCallback | undefined {
  if (!jobs.some((j) => j.onStep)) return undefined;
  return (nfe, canvas) =>
    jobs.forEach((j, i) => j.onStep?.({ phase, nfe, tokens: Array.from(canvas.subarray(i * width, (i + 1) * width)) }));
}

export type Live = (job: number) => boolean;
const always: Live = () => true;

export interface VqaResult {
  text: string; // up to the first EOS/EoT
  answer: string | null; // inside <answer>…</answer>
  tokens: number[]; // the whole answer canvas (masked beyond the blocks decoded with `decodeTokens`)
  confidence: number[]; // per canvas position, the token's probability at the pass that decided it (NaN: undecided)
  nfe: number; // passes: the job's own (continuous batching), else its batch's
  promptTokens: number; // prompt ids including the image slots
  workMs?: { prompt: number; passes: number }; // continuous batching: wall time of its prompt call and of the passes it ran in
}

export interface GroundResult {
  box: Box; // original-image pixels
  normalized: Box; // box / (width, height)
  bins: number[]; // raw LOC bins
}

export interface EditResult {
  plan: string;
  planIds: number[]; // plan + generation slots + <|eot_id|>
  vq: number[]; // grid x grid, row-major
  rgb: RgbImage; // the decoded image
  png: Buffer;
}

async function withLease<T>(m: Model, fn: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = m.pool.lease();
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}

/** Prompt ids and `<image>` embeddings of each job (one vision run for the batch). */
async function promptRows(m: Model, lease: Lease, jobs: Job[], edit: boolean): Promise<PromptRow[]> {
  const features = await m.runtime.encodeImages(
    lease,
    jobs.map((j) => anyresOf(j.image, m.config)),
  );
  return jobs.map((j, i) => ({ ids: jobPromptIds(m, j.prompt, j.image, edit), imageFeatures: features[i]! }));
}

const stops = (m: Model): Set<number> => new Set([m.config.eos_token_id, m.config.eot_token_id]);

export async function answerQuestions(
  m: Model,
  jobs: Job[],
  o: TextSamplerOptions = textSettings(m),
  live: Live = always,
): Promise<VqaResult[]> {
  return withLease(m, async (lease) => {
    const rows = await promptRows(m, lease, jobs, false);
    const cache = await m.runtime.prefill(lease, rows);
    const ctx: StepContext = { rt: m.runtime, lease, cache, batch: jobs.length, live };
    const c = m.config;
    const rngs = (o.temperature ?? 0) > 0 ? jobs.map((j) => new PyRandom(j.seed ?? randomInt(2 ** 32))) : undefined;
    const denoise = textDenoiser(ctx, o.genLength, {
      maskId: c.mask_token_id,
      fillId: c.eos_token_id,
      dualCache: o.dualCache,
      temperature: o.temperature,
      rngs,
    });
    const ids = { maskId: c.mask_token_id, eosId: c.eos_token_id, eotId: c.eot_token_id };
    const sample = await generateText(denoise, ids, o, jobs.length, undefined, fanOut(jobs, 'text', o.genLength));
    return jobs.map((_, i) => {
      const span = [i * o.genLength, (i + 1) * o.genLength] as const;
      return vqaResult(
        m,
        sample.tokens.subarray(...span),
        sample.confidence.subarray(...span),
        sample.nfe,
        rows[i]!.ids.length,
      );
    });
  });
}

/** A decoded answer canvas as the VQA result. */
export function vqaResult(
  m: Model,
  canvas: ArrayLike<number>,
  confidence: ArrayLike<number>,
  nfe: number,
  promptTokens: number,
  workMs?: VqaResult['workMs'],
): VqaResult {
  const tokens = Array.from(canvas);
  // a canvas decoded only in part (decodeTokens) ends its text at the first undecided position
  const text = decodeText(m.tokenizer, tokens, new Set([...stops(m), m.config.mask_token_id]));
  return {
    text,
    answer: extractAnswer(text),
    tokens,
    confidence: Array.from(confidence),
    nfe,
    promptTokens,
    ...(workMs && { workMs }),
  };
}

export async function groundBoxes(
  m: Model,
  jobs: Job[],
  steps: GroundingSteps = groundingSteps(m),
  live: Live = always,
): Promise<GroundResult[]> {
  return withLease(m, async (lease) => {
    const cache = await m.runtime.prefill(lease, await promptRows(m, lease, jobs, false));
    const ctx: StepContext = { rt: m.runtime, lease, cache, batch: jobs.length, live };
    const c = m.config;
    const denoise = groundingDenoiser(ctx, LOC_CANVAS, { locOffset: c.loc_token_offset, bins: c.num_loc_bins });
    const ids = {
      maskId: c.mask_token_id,
      locOffset: c.loc_token_offset,
      locBeginId: c.loc_begin_id,
      locEndId: c.loc_end_id,
      eotId: c.eot_token_id,
    };
    const ranges = jobs.map((j) => boxBinRanges(j.image.width, j.image.height, c.num_loc_bins));
    const sample = await generateBox(denoise, ids, ranges, c.num_loc_bins, steps);
    return jobs.map((j, i) => {
      const bins = Array.from(sample.bins.subarray(i * LOC_SLOTS, (i + 1) * LOC_SLOTS));
      const box = binsToBox(bins, j.image.width, j.image.height, c.num_loc_bins);
      const { width: w, height: h } = j.image;
      return { box, normalized: [box[0] / w, box[1] / h, box[2] / w, box[3] / h], bins };
    });
  });
}

export async function editImages(
  m: Model,
  jobs: Job[],
  o: EditSettings = editSettings(m),
  live: Live = always,
): Promise<EditResult[]> {
  return withLease(m, async (lease) => {
    const c = m.config;
    const grid = vqGridSize(c);
    const source = await m.runtime.vqEncode(
      lease,
      jobs.map((j) => vqInputOf(j.image, c)),
    );
    const prompts = await promptRows(m, lease, jobs, true);
    const cache = await m.runtime.prefill(lease, prompts, { ids: source, grid });
    const ctx: StepContext = { rt: m.runtime, lease, cache, batch: jobs.length, live };
    const row = editDraft(c, o.planLength);
    const L = row.length;
    const draft = Int32Array.from({ length: jobs.length * L }, (_, i) => row[i % L]!);
    const imageMask = m.layout.image_mask_token_id;
    const planDenoise = textDenoiser(ctx, L, {
      maskId: c.mask_token_id,
      fillId: c.eos_token_id,
      genGrid: { grid, maskId: imageMask },
    });
    const ids = { maskId: c.mask_token_id, eosId: c.eos_token_id, eotId: c.eot_token_id };
    const plan = await generateText(
      planDenoise,
      ids,
      { genLength: L, blockLength: L, steps: o.planSteps, stopAtEos: false },
      jobs.length,
      draft,
      fanOut(jobs, 'plan', L),
    );
    const denoise = isGuided(o.guidance)
      ? guidedImageDenoiser(
          { ...ctx, cache: await guidanceCache(m, lease, prompts, source, grid) },
          plan.tokens,
          L,
          grid,
          { scales: o.guidance, codebook: c.vq.num_vq_embeddings },
        )
      : imageDenoiser(ctx, plan.tokens, L, grid);
    const image = await generateImage(
      denoise,
      imageMask,
      { ...o.image, grid },
      jobs.length,
      undefined,
      imageSteps(m, lease, jobs, live, { source, grid, steps: o.image.steps, every: o.previewEvery }),
    );
    const wanted = jobs.map((_, i) => i).filter(live);
    const decoded = wanted.length
      ? await m.runtime.vqDecode(
          lease,
          wanted.flatMap((i) => Array.from(image.vq.subarray(i * grid * grid, (i + 1) * grid * grid))),
          wanted.length,
          grid,
        )
      : undefined;
    return Promise.all(
      jobs.map(async (_, i) => {
        const planIds = Array.from(plan.tokens.subarray(i * L, (i + 1) * L));
        const k = wanted.indexOf(i);
        const rgb =
          decoded && k >= 0 ? toRgb(decoded.pixels, k, decoded.size) : { width: 0, height: 0, data: new Uint8Array(0) };
        return {
          plan: decodeText(m.tokenizer, planIds.slice(0, o.planLength), stops(m)),
          planIds,
          vq: Array.from(image.vq.subarray(i * grid * grid, (i + 1) * grid * grid)),
          rgb,
          png: rgb.width ? await pngOf(rgb) : Buffer.alloc(0),
        };
      }),
    );
  });
}

/** The prompt cache of the guidance variants (sampling/guidance.ts), [cond; uncond_img; uncond] x jobs rows; the
 *  unconditional variants hold no image slot, so they take no image features. */
async function guidanceCache(
  m: Model,
  lease: Lease,
  prompts: PromptRow[],
  source: Int32Array,
  grid: number,
): Promise<PromptCache> {
  const variants = prompts.map((p) => guidanceVariants(m.config, p.ids));
  const rows = Array.from({ length: GUIDANCE_VARIANTS }, (_, v) =>
    prompts.map((p, j) => ({ ids: variants[j]![v]!, ...(v === 0 && { imageFeatures: p.imageFeatures }) })),
  ).flat();
  const sources = Int32Array.from({ length: GUIDANCE_VARIANTS * source.length }, (_, i) => source[i % source.length]!);
  return m.runtime.prefill(lease, rows, { ids: sources, grid });
}

/** The image phase's step events: each job's VQ canvas after every pass, with a decoded preview on the preview
 *  passes (edit-previews.ts) for the jobs still wanted. */
function imageSteps(
  m: Model,
  lease: Lease,
  jobs: Job[],
  live: Live,
  o: { source: Int32Array; grid: number; steps: number; every: number },
): AsyncStepCallback | undefined {
  if (!jobs.some((j) => j.onStep)) return undefined;
  const tokens = o.grid * o.grid;
  const streamed = jobs.map((_, i) => i).filter((i) => jobs[i]!.onStep);
  return async (nfe, canvas) => {
    const rows = isPreviewPass(nfe, o.steps, o.every) ? streamed.filter(live) : [];
    const previews = rows.length ? await decodePreviews(m, lease, rows, canvas, o.source, o.grid) : [];
    jobs.forEach((j, i) => {
      const preview = previews[rows.indexOf(i)];
      j.onStep?.({
        phase: 'image',
        nfe,
        tokens: Array.from(canvas.subarray(i * tokens, (i + 1) * tokens)),
        ...(preview && { preview }),
      });
    });
  };
}
