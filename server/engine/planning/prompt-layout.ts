// A request's prompt as the pipelines lay it out (image slots included), and whether it fits the model's sequence
// length with its answer canvas: the HTTP layer checks that before a job runs, the pipelines build the same ids.
import { imageTokenCount } from '../image/anyres.js';
import type { Model } from '../model.js';
import { promptIds, type Prompt } from '../text/prompts.js';
import { RequestError } from './request-error.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** What a request asks of the model as far as its length goes: the prompt, whether it edits (the prompt then
 *  holds the source image's VQ slots too), and the answer canvas it decodes. */
export interface RequestPlan {
  prompt: Prompt;
  edit: boolean;
  answerTokens: number;
}

/** Prompt ids of a job, image (and an edit's source) slots expanded. */
export function jobPromptIds(m: Model, prompt: Prompt, image: ImageSize, edit: boolean): number[] {
  return promptIds(
    m.tokenizer,
    m.config,
    prompt,
    imageTokenCount(m.config, image.width, image.height),
    m.systemPrompt,
    edit,
  );
}

/** The plan's prompt tokens over `image`, once prompt and answer are known to fit the model's sequence length. */
export function fitContext(m: Model, plan: RequestPlan, image: ImageSize): number {
  const promptTokens = jobPromptIds(m, plan.prompt, image, plan.edit).length;
  const max = m.config.max_sequence_length;
  if (promptTokens + plan.answerTokens > max) {
    throw new RequestError(
      'context_length_exceeded',
      `the prompt (${promptTokens} tokens, image included) and the answer (${plan.answerTokens}) exceed the model's ${max} tokens`,
    );
  }
  return promptTokens;
}
