// MathVista answer extraction: the official rules (evaluation/extract_answer.py), an optional LLM step, and a
// non-official rule-based fallback for runs without a judge.
import { pyFloat, pyInt, pyStrFloat, pySplit, pyStrip } from '../../python.js';
import { literalEval } from '../../pyliteral.js';
import type { MathVistaRecord } from './record.js';

export type ExtractFields = Pick<MathVistaRecord, 'choices' | 'questionType' | 'answerType' | 'query'>;

/**
 * official: the official quick rules, then the LLM when one is configured, else "" (lmms-eval's result when
 * the judge is unreachable: "official-no-judge"). rules: non-official rule-based extraction, flagged in reports.
 */
export type ExtractorName = 'official' | 'rules';

export interface ExtractOptions {
  extractor: ExtractorName;
  /** The official --quick_extract flag (off by default). */
  quickExtract?: boolean;
  /** Sends the full extraction prompt to an LLM; rejects on failure. */
  llm?: (prompt: string) => Promise<string>;
  /** demo_prompt text of evaluation/prompts/ext_ans.py. */
  demoPrompt?: string;
}

export interface Extraction {
  extraction: string;
  method: 'empty' | 'choice' | 'integer' | 'float' | 'quick' | 'llm' | 'llm-failed' | 'no-judge' | 'rule';
}

/** Steps 1-5 of the official extract_answer; null means "go on to the LLM". */
export function officialQuickExtract(response: string, r: ExtractFields, quickExtract = false): Extraction | null {
  if (response === '') return { extraction: '', method: 'empty' };
  if (r.questionType === 'multi_choice' && r.choices?.includes(response))
    return { extraction: response, method: 'choice' };
  if (r.answerType === 'integer') {
    const i = pyInt(response);
    if (i !== null) return { extraction: i.toString(), method: 'integer' };
  }
  if (r.answerType === 'float') {
    const f = pyFloat(response);
    if (f !== null) return { extraction: pyStrFloat(f), method: 'float' };
  }
  if (quickExtract) {
    const m = /The answer is "([^\n]*)"\./.exec(response); // Python's `.` excludes only \n
    if (m) return { extraction: m[1]!, method: 'quick' };
  }
  return null;
}

/** Without the official file, a short non-official instruction stands in for demo_prompt. */
export const FALLBACK_DEMO_PROMPT =
  'Please read the following example. Then extract the answer from the model response and type it at the end of the prompt.';

/** full_prompt = demo_prompt.strip() + "\n\n" + f"{query}\n\n{response}" + "\n\nExtracted answer: " */
export function buildExtractionPrompt(demoPrompt: string, query: string, response: string): string {
  return `${pyStrip(demoPrompt)}\n\n${query}\n\n${response}\n\nExtracted answer: `;
}

const LETTER_TOKENS_DROP = /[.()[\],:;!*#{}]/g;

/**
 * VLMEvalKit-style can_infer (non-official here): a single option-letter token among the last five tokens,
 * else "answer is X", else exactly one choice text contained in a short answer.
 */
export function inferChoiceLetter(answer: string, choices: string[]): string | null {
  const letters = choices.map((_, i) => String.fromCharCode(65 + i));
  const tokens = pySplit(answer.replace(LETTER_TOKENS_DROP, ' '));
  const hits = tokens.filter((t) => letters.includes(t));
  if (hits.length === 1) {
    const idx = tokens.indexOf(hits[0]!);
    if (idx > tokens.length - 5) return hits[0]!;
  }
  const m = /(?:correct\s+)?answer\s+is\s+\**([A-Z])\**/i.exec(answer);
  if (m && letters.includes(m[1]!.toUpperCase())) return m[1]!.toUpperCase();
  const total = choices.reduce((n, c) => n + c.length, 0);
  if (answer.length <= 2 * total) {
    const lower = answer.toLowerCase();
    const found = letters.filter((_, i) => lower.includes(choices[i]!.toLowerCase()));
    if (found.length === 1) return found[0]!;
  }
  return null;
}

/** Content of the last <answer>…</answer>, else the whole response. */
export function answerSpan(response: string): string {
  const all = [...response.matchAll(/<answer>([\s\S]*?)<\/answer>/g)];
  const last = all[all.length - 1];
  return last ? pyStrip(last[1]!) : response;
}

/** Non-official rule-based extraction for runs without a judge. */
export function ruleExtract(response: string, r: ExtractFields): Extraction {
  const span = answerSpan(response);
  const quick = officialQuickExtract(span, r, true);
  if (quick) return quick;
  if (r.questionType === 'multi_choice' && r.choices) {
    const letter = inferChoiceLetter(span, r.choices);
    return { extraction: letter ?? span, method: 'rule' };
  }
  if (r.answerType === 'integer' || r.answerType === 'float') {
    const nums = [...span.matchAll(/-?\d+(?:,\d{3})*(?:\.\d+)?/g)];
    const last = nums[nums.length - 1];
    return { extraction: last ? last[0].replace(/,/g, '') : span, method: 'rule' };
  }
  if (r.answerType === 'list') {
    const lists = [...span.matchAll(/\[[^[\]]*\]/g)];
    const last = lists[lists.length - 1];
    return { extraction: last ? last[0] : span, method: 'rule' };
  }
  return { extraction: span, method: 'rule' };
}

/** Extracts the answer from a (stripped) response as configured. */
export async function extractAnswer(response: string, r: ExtractFields, opts: ExtractOptions): Promise<Extraction> {
  if (opts.extractor === 'rules') return ruleExtract(response, r);
  const quick = officialQuickExtract(response, r, opts.quickExtract);
  if (quick) return quick;
  if (!opts.llm) return { extraction: '', method: 'no-judge' };
  try {
    const out = await opts.llm(buildExtractionPrompt(opts.demoPrompt ?? FALLBACK_DEMO_PROMPT, r.query, response));
    return { extraction: pyStrip(out), method: 'llm' };
  } catch {
    return { extraction: '', method: 'llm-failed' }; // the official code turns any exception into ""
  }
}

/**
 * demo_prompt from the official evaluation/prompts/ext_ans.py (the `demo_prompt = """…"""` literal), or the
 * whole text of any other file.
 */
export function parseDemoPrompt(text: string): string {
  const m = /demo_prompt\s*=\s*("""|''')([\s\S]*?)\1/.exec(text);
  if (!m) return text;
  const v = literalEval(`${m[1]}${m[2]}${m[1]}`);
  return typeof v === 'string' ? v : text;
}
