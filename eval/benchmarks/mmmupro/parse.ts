// MMMU-Pro answer parsing: official mmmu-pro/evaluate.py parse_multi_choice_response (with the `Answer:` fast
// path) and lmms-eval's variant (without it).
import { pySplit, pyStrip } from '../../python.js';

export type FallbackPolicy = 'random' | 'wrong';

export interface ParseOptions {
  /** The official `Answer:` fast path (absent in lmms-eval). */
  fastPath: boolean;
  fallback: FallbackPolicy;
  /** Uniform [0,1) source for the random fallback. */
  rng: () => number;
}

export interface ParsedChoice {
  /** Parsed letter; "" when the fallback counts the sample wrong. */
  letter: string;
  fallback: boolean;
}

/** Index of the first maximum (np.argmax). */
function argmax(values: number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > values[best]!) best = i;
  });
  return best;
}

export function parseMultiChoice(response: string, options: string[], opts: ParseOptions): ParsedChoice {
  const allChoices = options.map((_, i) => String.fromCharCode(65 + i));
  if (opts.fastPath) {
    const pos = response.lastIndexOf('Answer:');
    if (pos !== -1) {
      const tail = pyStrip(response.slice(pos + 7));
      const found = allChoices.filter((c) => tail.includes(c));
      if (found.length === 1) return { letter: found[0]!, fallback: false };
    }
  }
  let resp = response;
  for (const ch of [',', '.', '!', '?', ';', ':', "'"]) resp = pyStrip(resp, ch);
  resp = ` ${resp} `;
  let cands = allChoices.filter((c) => resp.includes(`(${c})`));
  const brackets = cands.length > 0;
  if (!brackets) cands = allChoices.filter((c) => resp.includes(`${c} `)); // also matches "DNA " → A
  if (cands.length === 0) cands = allChoices.filter((c) => resp.includes(`${c}.`));
  let indexAns = true;
  if (cands.length === 0 && pySplit(resp).length > 5) {
    cands = allChoices.filter((_, i) => resp.toLowerCase().includes(options[i]!.toLowerCase()));
    indexAns = false;
  }
  if (cands.length === 0) {
    if (opts.fallback === 'wrong' || allChoices.length === 0) return { letter: '', fallback: true };
    return { letter: allChoices[Math.floor(opts.rng() * allChoices.length)]!, fallback: true };
  }
  if (cands.length === 1) return { letter: cands[0]!, fallback: false };
  const lower = resp.toLowerCase();
  const key = (c: string): number =>
    indexAns && brackets
      ? resp.lastIndexOf(`(${c})`)
      : indexAns
        ? resp.lastIndexOf(` ${c} `)
        : lower.lastIndexOf(options[c.charCodeAt(0) - 65]!.toLowerCase());
  return { letter: cands[argmax(cands.map(key))]!, fallback: false };
}
