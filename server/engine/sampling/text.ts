// Text sampler loop (sampling/text_loop.py sample_text): LLaDA low-confidence remasking over semi-autoregressive
// blocks with the uniform or shift schedule, Fast-dLLM threshold decoding, EOS early stop and draft tokens.
// The model is behind `Denoise`; batch rows decode independently (the batch only shares passes).
import { selectScheduled, selectThreshold } from './select.js';
import { transferCounts, type Schedule } from './schedules.js';
import type { Candidates, Denoise, StepCallback } from './types.js';

export interface TextSamplerOptions {
  genLength: number;
  blockLength: number;
  steps: number; // over all blocks; ignored by threshold decoding
  schedule?: Schedule;
  shift?: number;
  threshold?: number | null; // unmask every masked token of the block above it, at least the most confident
  stopAtEos?: boolean; // after a finished block holding EOS/EoT, the rest becomes EOS
  eosConfidenceInf?: boolean; // EOS/EoT are chosen last
  dualCache?: boolean; // Fast-dLLM dual cache: read by the denoiser, which the sampler tells the block of each pass
  temperature?: number; // Gumbel-max sampling (read by the denoiser: sampling/noise.ts); 0 or unset: greedy
  decodeTokens?: number; // only the blocks covering the first decodeTokens positions are decoded (the rest stays masked)
}

export interface TextTokenIds {
  maskId: number;
  eosId: number;
  eotId: number;
}

export interface TextSample {
  tokens: Int32Array; // [batch * genLength]
  unmaskStep: Int32Array; // pass at which each token was decided (-1: fixed draft token)
  confidence: Float64Array; // each token's confidence at the pass that decided it (NaN: fixed or not decided)
  nfe: number;
}

export function validateTextOptions(o: TextSamplerOptions): void {
  if (o.genLength % o.blockLength) throw new Error('genLength must be a multiple of blockLength');
  const threshold = o.threshold ?? null;
  if (threshold === null && o.steps % (o.genLength / o.blockLength)) {
    throw new Error('steps must be a multiple of the number of blocks');
  }
  if (threshold !== null && !(threshold > 0 && threshold <= 1)) throw new Error('threshold must lie in (0, 1]');
  if (!(Number.isFinite(o.temperature ?? 0) && (o.temperature ?? 0) >= 0))
    throw new Error('temperature must be a finite number >= 0');
  if (o.decodeTokens !== undefined && !(Number.isInteger(o.decodeTokens) && o.decodeTokens >= 1))
    throw new Error('decodeTokens must be an integer >= 1');
}

/** Decodes `batch` canvases of `genLength` tokens. draft [batch * genLength]: fixed tokens, the mask id where
 *  the sampler decides. */
export async function generateText(
  denoise: Denoise,
  ids: TextTokenIds,
  o: TextSamplerOptions,
  batch = 1,
  draft?: ArrayLike<number>,
  onStep?: StepCallback,
): Promise<TextSample> {
  validateTextOptions(o);
  const { genLength: L, blockLength } = o;
  const threshold = o.threshold ?? null;
  const isStop = (t: number): boolean => t === ids.eosId || t === ids.eotId;
  const canvas = draft ? Int32Array.from(draft) : new Int32Array(batch * L).fill(ids.maskId);
  if (canvas.length !== batch * L) throw new Error(`draft has ${canvas.length} tokens, expected ${batch * L}`);
  const fixed = canvas.map((t) => (t !== ids.maskId ? 1 : 0));
  const unmaskStep = new Int32Array(batch * L).fill(-1);
  const confidence = new Float64Array(batch * L).fill(NaN);
  const blocks = L / blockLength;
  const decodedBlocks = Math.min(blocks, Math.ceil((o.decodeTokens ?? L) / blockLength));
  const stepsPerBlock = threshold === null ? o.steps / blocks : blockLength;
  const isMasked = (row: number, pos: number): boolean => canvas[row * L + pos] === ids.maskId;
  let nfe = 0;
  for (let b = 0; b < decodedBlocks; b++) {
    const start = b * blockLength;
    const end = start + blockLength;
    const perRow = Array.from({ length: batch }, (_, r) => {
      let masked = 0;
      for (let p = start; p < end; p++) if (isMasked(r, p)) masked++;
      return transferCounts(masked, stepsPerBlock, o.schedule ?? 'uniform', o.shift ?? 3);
    });
    for (let step = 0; step < stepsPerBlock; step++) {
      const anyMasked = Array.from({ length: batch }, (_, r) => r).some((r) => {
        for (let p = start; p < end; p++) if (isMasked(r, p)) return true;
        return false;
      });
      if (!anyMasked) break;
      const out = await denoise(canvas, nfe, { start, end, first: step === 0 });
      nfe++;
      for (let r = 0; r < batch; r++) {
        commitPass(
          { canvas, unmaskStep, confidence },
          r * L,
          { start, end },
          out,
          r * L,
          ids,
          o,
          perRow[r]![step]!,
          nfe - 1,
        );
      }
      onStep?.(nfe, canvas);
    }
    if (o.stopAtEos ?? true) {
      let allDone = true;
      for (let r = 0; r < batch; r++) allDone = stopRowAtEos(canvas, fixed, r, L, end, ids, isStop) && allDone;
      if (allDone) break;
    }
  }
  return { tokens: canvas, unmaskStep, confidence, nfe };
}

/** A text canvas being decoded: tokens, the pass that decided each and its confidence then. */
export interface TextCanvas {
  canvas: Int32Array;
  unmaskStep: Int32Array;
  confidence: Float64Array;
}

/** Commits one pass's candidates to the row at `base` of `t` (its block [start, end)), the candidates read from
 *  `out` at `outBase`: threshold decoding's picks, else the schedule's `count` most confident masked positions. */
export function commitPass(
  t: TextCanvas,
  base: number,
  block: { start: number; end: number },
  out: Candidates,
  outBase: number,
  ids: TextTokenIds,
  o: TextSamplerOptions,
  count: number,
  pass: number,
): void {
  const { start, end } = block;
  const isStop = (x: number): boolean => x === ids.eosId || x === ids.eotId;
  const masked = (p: number): boolean => t.canvas[base + p] === ids.maskId;
  const conf = new Float64Array(end).fill(-Infinity);
  for (let p = start; p < end; p++) {
    if (masked(p) && !(o.eosConfidenceInf && isStop(out.ids[outBase + p]!))) conf[p] = out.confidence[outBase + p]!;
  }
  const threshold = o.threshold ?? null;
  const chosen = threshold !== null ? selectThreshold(conf, threshold) : selectScheduled(conf, count);
  for (let p = start; p < end; p++) {
    if (chosen[p] && masked(p)) {
      t.canvas[base + p] = out.ids[outBase + p]!;
      t.unmaskStep[base + p] = pass;
      t.confidence[base + p] = out.confidence[outBase + p]!;
    }
  }
}

/** A row whose decoded part (up to `end`) holds EOS/EoT and which has no fixed tokens later is finished: its
 *  remaining masks become EOS. Returns whether the row is finished or has no masks left. */
export function stopRowAtEos(
  canvas: Int32Array,
  fixed: ArrayLike<number>,
  row: number,
  L: number,
  end: number,
  ids: TextTokenIds,
  isStop: (t: number) => boolean,
): boolean {
  const base = row * L;
  let decodedStop = false;
  for (let p = 0; p < end; p++) if (isStop(canvas[base + p]!)) decodedStop = true;
  let laterFixed = false;
  for (let p = end; p < L; p++) if (fixed[base + p]) laterFixed = true;
  const finished = decodedStop && !laterFixed;
  let masksLeft = false;
  for (let p = 0; p < L; p++) {
    if (canvas[base + p] !== ids.maskId) continue;
    if (finished) canvas[base + p] = ids.eosId;
    else masksLeft = true;
  }
  return finished || !masksLeft;
}
