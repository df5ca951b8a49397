// ImgEdit judge requests as the official basic_bench.py builds them (any OpenAI-compatible vision endpoint).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { ChatFn, ChatMessage } from '../../llm.js';
import type { ImgEditRecord } from './load.js';

/** Where a model's edited image for `key` is saved (the official script hard-codes `<key>.png`). */
export function editedImagePath(resultDir: string, key: string): string {
  return join(resultDir, `${key}.png`);
}

/** prompts[edit_type] with every `<edit_prompt>` replaced; unknown types use `adjust` (as lmms-eval does). */
export function judgePromptText(prompts: Map<string, string>, r: Pick<ImgEditRecord, 'editType' | 'prompt'>): string {
  const template = prompts.get(r.editType) ?? prompts.get('adjust');
  if (template === undefined) throw new UserError(`no judge prompt for edit type "${r.editType}" (and none for "adjust")`);
  return template.replaceAll('<edit_prompt>', r.prompt);
}

const dataUrl = (bytes: Uint8Array): string => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

/** One user message: the prompt text, the original, the edited image (both labelled image/png, as official). */
export function judgeMessages(text: string, original: Uint8Array, edited: Uint8Array): ChatMessage[] {
  return [
    {
      role: 'user',
      content: [
        { type: 'text', text },
        { type: 'image_url', image_url: { url: dataUrl(original) } },
        { type: 'image_url', image_url: { url: dataUrl(edited) } },
      ],
    },
  ];
}

/** Judges one edit; the value stored in result.json is the reply text, or {error} when the call fails. */
export async function judgeEdit(
  chat: ChatFn,
  prompts: Map<string, string>,
  r: ImgEditRecord,
  resultDir: string,
): Promise<string | { error: string }> {
  try {
    const [original, edited] = await Promise.all([readFile(r.imagePath), readFile(editedImagePath(resultDir, r.key))]);
    return await chat(judgeMessages(judgePromptText(prompts, r), original, edited));
  } catch (e) {
    return { error: (e as Error).message };
  }
}
