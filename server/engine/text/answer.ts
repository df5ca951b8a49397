// Decoding of generated answers (lavida_r1/inference.py decode_text / extract_answer).
import type { TextTokenizer } from './tokenizer.js';

/** Text up to the first stop token (EOS/EoT); LOC tokens stay as `<LOC_i>` strings. */
export function decodeText(tok: TextTokenizer, ids: ArrayLike<number>, stopIds: ReadonlySet<number>): string {
  const all = Array.from(ids);
  const cut = all.findIndex((t) => stopIds.has(t));
  return tok.decode(cut < 0 ? all : all.slice(0, cut));
}

/** The stripped text inside the first `<answer>…</answer>`, or null. */
export function extractAnswer(text: string): string | null {
  const match = /<answer>([\s\S]*?)<\/answer>/.exec(text);
  return match ? pyStrip(match[1]!) : null;
}

// Python's str.strip() strips str.isspace() characters: JS's \s without U+FEFF, plus \x1c-\x1f and \x85.
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'gu');
const pyStrip = (s: string): string => s.replace(STRIP, '');
