// Turning answer canvases into text: final answers (reasoning split, completion length) and partial canvases
// while the denoising runs (masked positions shown as a glyph). Chat completions have their own (openai/).
import type { Model } from './engine/index.js';

export const MASK_GLYPH = '▒';

const isStop = (m: Model, t: number): boolean => t === m.config.eos_token_id || t === m.config.eot_token_id;

/** Tokens before the first stop token (EOS/EoT). */
export function completionTokens(m: Model, tokens: readonly number[]): number {
  const cut = tokens.findIndex((t) => isStop(m, t));
  return cut < 0 ? tokens.length : cut;
}

/** The text before `<answer>` (all of it without one), trimmed. */
export function reasoningOf(text: string): string {
  const at = text.indexOf('<answer>');
  return (at < 0 ? text : text.slice(0, at)).trim();
}

/** A partial canvas: decided runs decoded, each masked position as MASK_GLYPH, cut at a decided stop token. */
export function renderCanvas(
  m: Model,
  tokens: readonly number[],
): { text: string; masked: number; tokens: Array<number | null> } {
  const maskId = m.config.mask_token_id;
  const cut = tokens.findIndex((t) => isStop(m, t));
  const shown = cut < 0 ? tokens : tokens.slice(0, cut);
  let text = '';
  let run: number[] = [];
  for (const t of shown) {
    if (t !== maskId) {
      run.push(t);
      continue;
    }
    text += m.tokenizer.decode(run) + MASK_GLYPH;
    run = [];
  }
  text += m.tokenizer.decode(run);
  const masked = tokens.filter((t) => t === maskId).length;
  return { text, masked, tokens: tokens.map((t) => (t === maskId ? null : t)) };
}
