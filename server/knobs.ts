// Decoding knobs of a request (bounded by openapi.yaml) to engine settings, with the checks a schema cannot
// express (divisibility, limits that depend on the model), and the context-length check.
import { countImageTokens, selectBestResolution } from './engine/anyres.js';
import { vqGridSize } from './engine/config.js';
import type { Model } from './engine/model.js';
import { editSettings, textSettings, type EditSettings } from './engine/pipelines.js';
import { promptIds, type Prompt } from './engine/prompts.js';
import type { RgbImage } from './engine/rgb.js';
import type { TextSamplerOptions } from './engine/sampling/text.js';
import type { components } from '../sdk/schema.js';
import { HttpProblem } from './problem.js';

type S = components['schemas'];

/** `task`: its canvas is the default (VqaRequest.task); explicit knobs override. */
export function textOptions(m: Model, k: S['TextKnobs'], task?: S['VqaTask']): TextSamplerOptions {
  const d = textSettings(m, task);
  const genLength = k.max_tokens ?? d.genLength;
  const blockLength = k.block_length ?? Math.min(d.blockLength, genLength);
  const threshold = k.threshold ?? null;
  // Without explicit steps: the package's steps for its own canvas, else one token per pass.
  const steps = k.steps ?? (genLength === d.genLength && blockLength === d.blockLength ? d.steps : genLength);
  if (genLength % blockLength) {
    throw new HttpProblem('invalid-request', `max_tokens (${genLength}) must be a multiple of block_length (${blockLength})`);
  }
  const blocks = genLength / blockLength;
  if (threshold === null && steps % blocks) {
    throw new HttpProblem('invalid-request', `steps (${steps}) must be a multiple of the number of blocks (max_tokens / block_length = ${blocks})`);
  }
  return { genLength, blockLength, steps, schedule: k.schedule ?? d.schedule, shift: k.shift, threshold,
    dualCache: k.dual_cache ?? false, temperature: k.temperature ?? 0 };
}

export function editOptions(m: Model, k: S['EditFields']): EditSettings {
  const d = editSettings(m);
  const tokens = vqGridSize(m.config) ** 2;
  const steps = k.steps ?? d.image.steps;
  const planSteps = k.plan_steps ?? d.planSteps;
  if (steps > tokens) throw new HttpProblem('invalid-request', `steps (${steps}) must be at most the ${tokens} VQ tokens of the image`);
  if (planSteps > d.planLength) throw new HttpProblem('invalid-request', `plan_steps (${planSteps}) must be at most the plan length ${d.planLength}`);
  return {
    planLength: d.planLength, planSteps,
    image: { steps, shift: k.shift ?? d.image.shift, order: k.order ?? d.image.order, orderSeed: k.seed ?? d.image.orderSeed },
  };
}

/** Prompt ids of a request (image slots included), as the pipelines will build them. */
export function promptLength(m: Model, prompt: Prompt, image: Pick<RgbImage, 'width' | 'height'>, edit: boolean): number {
  const size = m.config.vision.image_size;
  const candidates = m.config.image_grid_pinpoints.map(([w, h]) => [w * size, h * size] as [number, number]);
  const [w, h] = selectBestResolution(image.width, image.height, candidates);
  const imageTokens = countImageTokens(m.config, [Math.floor(w / size), Math.floor(h / size)], image.width, image.height);
  return promptIds(m.tokenizer, m.config, prompt, imageTokens, m.systemPrompt, edit).length;
}

/** Refuses a prompt whose answer canvas would not fit the model's sequence length. */
export function checkContext(m: Model, promptTokens: number, answerTokens: number): void {
  const max = m.config.max_sequence_length;
  if (promptTokens + answerTokens > max) {
    throw new HttpProblem('context-length-exceeded',
      `the prompt (${promptTokens} tokens, image included) and the answer (${answerTokens}) exceed the model's ${max} tokens`);
  }
}
