// The decoding of a grounding request: LaViDa-O's grounding instruction around the description (unless the
// request sends the whole prompt), the package's LOC passes unless the request names them, the LOC canvas.
import type { Model } from '../model.js';
import { LOC_CANVAS } from '../sampling/grounding.js';
import { groundingRequest } from '../text/chat-template.js';
import type { RequestPlan } from './prompt-layout.js';

export type GroundingSteps = 1 | 2 | 4;

export interface GroundPlan extends RequestPlan {
  prompt: string;
  steps: GroundingSteps;
}

/** The package's LOC passes (the manifest's `sampling.grounding`). */
export const groundingSteps = (m: Model): GroundingSteps => m.layout.sampling.grounding?.steps ?? 1;

/** `raw`: the description is the whole prompt. */
export function planGround(
  m: Model,
  description: string,
  o: { raw?: boolean; steps?: GroundingSteps } = {},
): GroundPlan {
  return {
    prompt: o.raw ? description : groundingRequest(description),
    edit: false,
    answerTokens: LOC_CANVAS,
    steps: o.steps ?? groundingSteps(m),
  };
}
