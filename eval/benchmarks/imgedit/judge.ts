// ImgEdit judge requests as the official basic_bench.py builds them (any OpenAI-compatible vision endpoint).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type OpenAI from 'openai';
import type { ChatCompletionUserMessageParam } from 'openai/resources/chat/completions';
import { UserError } from '../../errors.js';
import { chatText } from '../../llm.js';
import type { ImgEditRecord } from './load.js';

/** Where a model's edited image for `key` is saved (the official script hard-codes `<key>.png`). */
export function editedImagePath(resultDir: string, key: string): string {
  return join(resultDir, `${key}.png`);
}

/** prompts[edit_type] with every `<edit_prompt>` replaced; unknown types use `adjust` (as lmms-eval does). */
export function judgePromptText(prompts: Map<string, string>, r: Pick<ImgEditRecord, 'editType' | 'prompt'>): string {
  const template = prompts.get(r.editType) ?? prompts.get('adjust');
  if (template === undefined)
    throw new UserError(`no judge prompt for edit type "${r.editType}" (and none for "adjust")`);
  return template.replaceAll('<edit_prompt>', r.prompt);
}

const dataUrl = (bytes: Uint8Array): string => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

/** The one user message: the prompt text, the original, the edited image (both labelled image/png, as official). */
export function judgeMessage(text: string, original: Uint8Array, edited: Uint8Array): ChatCompletionUserMessageParam {
  return {
    role: 'user',
    content: [
      { type: 'text', text },
      { type: 'image_url', image_url: { url: dataUrl(original) } },
      { type: 'image_url', image_url: { url: dataUrl(edited) } },
    ],
  };
}

/** The judge's reply text for one edit; throws when an image cannot be read or the call fails. */
export async function judgeReply(
  client: OpenAI,
  model: string,
  prompts: Map<string, string>,
  r: ImgEditRecord,
  editedDir: string,
): Promise<string> {
  const [original, edited] = await Promise.all([readFile(r.imagePath), readFile(editedImagePath(editedDir, r.key))]);
  // the model and the message only: the official request sets no temperature and no length
  return chatText(client, { model, messages: [judgeMessage(judgePromptText(prompts, r), original, edited)] });
}
