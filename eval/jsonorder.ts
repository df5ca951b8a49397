// JSON.parse reorders integer-like keys ("22" before "1172"); Python dicts keep file order, and the official
// ImgEdit scripts sum floats in that order. This reads a top-level object's entries in file order.
import { UserError } from './errors.js';

const WS = /[ \t\n\r]/;

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.test(text[i]!)) i++;
  return i;
}

function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** Index just past the JSON value starting at i (the value itself is validated later by JSON.parse). */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        i = skipString(text, i);
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError('unterminated container');
  }
  while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  return i;
}

/** Entries of a top-level JSON object, in file order. Throws UserError (mentioning `what`) on malformed input. */
export function parseObjectEntries(text: string, what: string): Array<[string, unknown]> {
  try {
    JSON.parse(text); // full validation first; the scan below then only has to find boundaries
    let i = skipWs(text, 0);
    if (text[i] !== '{') throw new SyntaxError('expected a JSON object at the top level');
    const out: Array<[string, unknown]> = [];
    i = skipWs(text, i + 1);
    if (text[i] === '}') return out;
    for (;;) {
      const keyEnd = skipString(text, i);
      const key = JSON.parse(text.slice(i, keyEnd)) as string;
      i = skipWs(text, skipWs(text, keyEnd) + 1); // past ':'
      const valEnd = skipValue(text, i);
      out.push([key, JSON.parse(text.slice(i, valEnd))]);
      i = skipWs(text, valEnd);
      if (text[i] === '}') return out;
      i = skipWs(text, i + 1); // past ','
    }
  } catch (e) {
    throw new UserError(`${what}: ${(e as Error).message}`);
  }
}
