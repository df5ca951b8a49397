// The decoding of an edit: the package's plan and image settings (the manifest's `plan_length`, `sampling.plan`,
// `sampling.image`) under the request's knobs, bounded by the model (plan length, VQ tokens).
import type { Model } from '../model.js';
import { vqGridSize } from '../package/model-config.js';
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
}

export interface EditSettings {
  planLength: number;
  planSteps: number;
  image: Omit<ImageSamplerOptions, 'grid' | 'startStep'>;
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
  };
  return { prompt: instruction, edit: true, answerTokens: editDraft(m.config, settings.planLength).length, settings };
}
