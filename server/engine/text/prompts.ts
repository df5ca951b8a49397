// The sequence layouts of each task (lavida_r1/prompts.py): prompt ids and the answer canvases.
import { boxToBins, type Box } from '../image/boxes.js';
import { locToken, vqSlots, type ModelConfig } from '../package/model-config.js';
import { IMAGE, renderConversation, SYSTEM_PROMPT, type Conversation } from './chat-template.js';
import { EDIT_SLOTS, type TextTokenizer } from './tokenizer.js';

/** User text that cannot be laid out (it names the image more than once, or holds a control token). */
export class PromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

/** Refuses user text holding a control-token string (`<|eot_id|>`, `<|reserved_token_6|>`, `<LOC_5>`, the slot
 *  markers, …): it would tokenize to that control token. `<image>` is the image placeholder (see promptIds).
 *  The Python reference (prompts.py) does not check: it is fed only the project's own prompts. */
export function checkUserText(tok: TextTokenizer, text: string): void {
  const found = tok.controlTokensIn(text, [IMAGE]);
  if (found.length) {
    const list = [...new Set(found)].join(', ');
    throw new PromptError(
      `the text contains the control token${found.length > 1 ? 's' : ''} ${list}; special-token strings cannot be sent as text`,
    );
  }
}

/** What a job asks: a question (one user turn) or a whole conversation (chat completions). */
export type Prompt = string | Conversation;

/** The texts of a prompt that come from the user (every turn and the system message of a conversation). */
export const promptTexts = (p: Prompt): string[] =>
  typeof p === 'string' ? [p] : [...(typeof p.system === 'string' ? [p.system] : []), ...p.turns.map((t) => t.text)];

/** The whole prompt up to the assistant header, image (and, for edits, edit-source) slots expanded.
 * A text that already holds one `<image>` (LLaVA / lmms-eval style) keeps the image there; in a conversation,
 * only the turn that carries the image may name it. `system`: the package's system prompt, unless a
 * conversation brings its own. */
export function promptIds(
  tok: TextTokenizer,
  c: ModelConfig,
  prompt: Prompt,
  imageTokens: number,
  system: boolean,
  edit = false,
): number[] {
  const conv: Conversation =
    typeof prompt === 'string'
      ? { turns: [{ role: 'user', text: edit ? `${EDIT_SLOTS}\n${prompt}` : prompt, image: true }] }
      : prompt;
  const named = promptTexts(prompt).reduce((n, text) => n + text.split(IMAGE).length - 1, 0);
  if (named > 1) throw new PromptError(`the text names ${IMAGE} ${named} times; a request carries one image`);
  const carrier = conv.turns.find((t) => t.image);
  if (named === 1 && !carrier?.text.includes(IMAGE)) {
    throw new PromptError(`${IMAGE} may only be named in the message that carries the image`);
  }
  const turns = conv.turns.map((t) => ({ ...t, image: Boolean(t.image) && named === 0 }));
  const text = renderConversation({
    system: conv.system === undefined ? (system ? SYSTEM_PROMPT : null) : conv.system,
    turns,
  });
  return tok.encodeWithSlots(text, c, { image: imageTokens, edit: edit ? vqSlots(c) : 0 });
}

export function padAnswer(ids: number[], length: number, c: ModelConfig): number[] {
  if (ids.length > length) throw new Error(`answer of ${ids.length} tokens does not fit a canvas of ${length}`);
  return [...ids, ...new Array<number>(length - ids.length).fill(c.eos_token_id)];
}

/** Reasoning + answer text, `<|eot_id|>`, `<|endoftext|>` padding to `length`. */
export const textAnswerIds = (tok: TextTokenizer, c: ModelConfig, target: string, length: number): number[] =>
  padAnswer([...tok.encode(target), c.eot_token_id], length, c);

/** `<LOC_BEGIN><LOC_x1><LOC_y1><LOC_x2><LOC_y2><LOC_END><|eot_id|>` for a box in original-image pixels. */
export function groundingAnswerIds(c: ModelConfig, box: Box, width: number, height: number): number[] {
  const bins = boxToBins(box, width, height, c.num_loc_bins);
  return [c.loc_begin_id, ...bins.map((b) => locToken(c, b)), c.loc_end_id, c.eot_token_id];
}

/** The plan padded to `planLength`, the generation slots, `<|eot_id|>`. */
export function editAnswerIds(tok: TextTokenizer, c: ModelConfig, plan: string, planLength: number): number[] {
  const planIds = padAnswer(tok.encode(plan), planLength, c);
  return [...planIds, ...new Array<number>(vqSlots(c)).fill(c.gen_token_id), c.eot_token_id];
}

/** The draft canvas an edit decodes: masked plan, generation slots, `<|eot_id|>` (inference.py edit_image). */
export const editDraft = (c: ModelConfig, planLength: number): number[] => [
  ...new Array<number>(planLength).fill(c.mask_token_id),
  ...new Array<number>(vqSlots(c)).fill(c.gen_token_id),
  c.eot_token_id,
];
