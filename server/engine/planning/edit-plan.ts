// The decoding of an edit: the package's plan and image settings (the manifest's `plan_length`, `sampling.plan`,
// `sampling.image`) under the request's knobs, bounded by the model (plan length, VQ tokens); classifier-free
// guidance (off unless asked for) and the streamed previews' cadence.
import type { Model } from '../model.js';
import { vqGridSize } from '../package/model-config.js';
import type { GuidanceScales } from '../sampling/guidance.js';
import type { ImageSamplerOptions } from '../sampling/image.js';
import { editDraft } from '../text/prompts.js';
import type { RequestPlan } from './prompt-layout.js';
import { RequestError } from './request-error.js';

/** The edit knobs a request may set, by the API's names (openapi.yaml EditFields). */
export interface EditKnobs {
  steps?: number;
  plan_steps?: number;
  shift?: number;
  order?: 'stratified' | 'confidence';
  seed?: number;
  guidance_scale?: number;
  image_guidance_scale?: number;
  preview_every?: number;
}

/** Streamed edits: a decoded preview every this many image passes (and after the last), unless asked otherwise. */
export const PREVIEW_EVERY = 4;

export interface EditSettings {
  planLength: number;
  planSteps: number;
  image: Omit<ImageSamplerOptions, 'grid' | 'startStep'>;
  guidance: GuidanceScales; // both 0: unguided (one variant per pass)
  previewEvery: number; // streaming: a preview image every this many image passes, and after the last
}

export interface EditPlan extends RequestPlan {
  prompt: string;
  settings: EditSettings;
}

export function editSettings(m: Model): EditSettings {
  const im = m.layout.sampling.image;
  return {
    planLength: m.layout.plan_length,
    planSteps: m.layout.sampling.plan?.steps ?? m.layout.plan_length,
    image: {
      steps: im?.steps ?? 16,
      shift: im?.shift ?? 5,
      order: im?.order ?? 'stratified',
      orderSeed: im?.order_seed ?? 42,
    },
    guidance: { text: 0, image: 0 },
    previewEvery: PREVIEW_EVERY,
  };
}

/** An instruction's edit; its answer is the edit draft (plan, generation slots, `<|eot_id|>`). */
export function planEdit(m: Model, instruction: string, k: EditKnobs): EditPlan {
  const d = editSettings(m);
  const tokens = vqGridSize(m.config) ** 2;
  const steps = k.steps ?? d.image.steps;
  const planSteps = k.plan_steps ?? d.planSteps;
  if (steps > tokens)
    throw new RequestError('invalid_knobs', `steps (${steps}) must be at most the ${tokens} VQ tokens of the image`);
  if (planSteps > d.planLength)
    throw new RequestError(
      'invalid_knobs',
      `plan_steps (${planSteps}) must be at most the plan length ${d.planLength}`,
    );
  const settings: EditSettings = {
    planLength: d.planLength,
    planSteps,
    image: {
      steps,
      shift: k.shift ?? d.image.shift,
      order: k.order ?? d.image.order,
      orderSeed: k.seed ?? d.image.orderSeed,
    },
    guidance: { text: k.guidance_scale ?? d.guidance.text, image: k.image_guidance_scale ?? d.guidance.image },
    previewEvery: k.preview_every ?? d.previewEvery,
  };
  return { prompt: instruction, edit: true, answerTokens: editDraft(m.config, settings.planLength).length, settings };
}
