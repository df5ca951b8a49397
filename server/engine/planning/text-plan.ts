// The text decoding of a request (VQA, chat): the package's defaults (the manifest's `sampling.text`, a task's
// canvas from `sampling.canvases`) under the request's knobs, with the checks a schema cannot express.
import type { Model } from '../model.js';
import type { VqaTask } from '../package/manifest.js';
import type { Schedule } from '../sampling/schedules.js';
import type { TextSamplerOptions } from '../sampling/text.js';
import type { Prompt } from '../text/prompts.js';
import type { RequestPlan } from './prompt-layout.js';
import { RequestError } from './request-error.js';

/** The decoding knobs a request may set, by the API's names (openapi.yaml TextKnobs). */
export interface TextKnobs {
  max_tokens?: number;
  block_length?: number;
  steps?: number;
  threshold?: number;
  schedule?: Schedule;
  shift?: number;
  dual_cache?: boolean;
  temperature?: number;
}

export interface TextPlan extends RequestPlan {
  sampling: TextSamplerOptions;
}

/** The package's text decoding; for a `task` with its own canvas, that canvas at one token per pass
 *  (lavida_r1.inference.text_sampler), else the default canvas (the longest task's). */
export function textSettings(m: Model, task?: VqaTask): TextSamplerOptions {
  const t = m.layout.sampling.text;
  const d: TextSamplerOptions = {
    genLength: t?.gen_length ?? 80,
    blockLength: t?.block_length ?? 16,
    steps: t?.steps ?? 80,
    schedule: t?.schedule ?? 'uniform',
  };
  const canvas = task === undefined ? undefined : m.layout.sampling.canvases?.[task];
  return canvas === undefined ? d : { ...d, genLength: canvas, steps: canvas };
}

/** `task`'s canvas (VqaRequest.task) with the knobs over it. */
function textOptions(m: Model, k: TextKnobs, task?: VqaTask): TextSamplerOptions {
  const d = textSettings(m, task);
  const genLength = k.max_tokens ?? d.genLength;
  const blockLength = k.block_length ?? Math.min(d.blockLength, genLength);
  const threshold = k.threshold ?? null;
  // Without explicit steps: the package's steps for its own canvas, else one token per pass.
  const steps = k.steps ?? (genLength === d.genLength && blockLength === d.blockLength ? d.steps : genLength);
  if (genLength % blockLength) {
    throw new RequestError(
      'invalid_knobs',
      `max_tokens (${genLength}) must be a multiple of block_length (${blockLength})`,
    );
  }
  const blocks = genLength / blockLength;
  if (threshold === null && steps % blocks) {
    throw new RequestError(
      'invalid_knobs',
      `steps (${steps}) must be a multiple of the number of blocks (max_tokens / block_length = ${blocks})`,
    );
  }
  return {
    genLength,
    blockLength,
    steps,
    schedule: k.schedule ?? d.schedule,
    shift: k.shift,
    threshold,
    dualCache: k.dual_cache ?? false,
    temperature: k.temperature ?? 0,
  };
}

/** A question's (or a conversation's) decoding. `completionCap` (chat's max_tokens): only the blocks that hold
 *  that many leading tokens are decoded; the tokens before them are the same either way. */
export function planText(
  m: Model,
  prompt: Prompt,
  k: TextKnobs,
  o: { task?: VqaTask; completionCap?: number } = {},
): TextPlan {
  const sampling = textOptions(m, k, o.task);
  const cap = o.completionCap;
  const decodeTokens =
    cap !== undefined && cap < sampling.genLength
      ? Math.ceil(cap / sampling.blockLength) * sampling.blockLength
      : undefined;
  return {
    prompt,
    edit: false,
    answerTokens: sampling.genLength,
    sampling: decodeTokens === undefined ? sampling : { ...sampling, decodeTokens },
  };
}
