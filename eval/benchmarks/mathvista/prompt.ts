// MathVista prompts: the official hint-first `query`, and lmms-eval's `format-prompt` (what LaViDa-O runs).
import { pyStrip } from '../../python.js';
import type { MathVistaRecord } from './record.js';

type PromptFields = Pick<
  MathVistaRecord,
  'question' | 'choices' | 'unit' | 'precision' | 'questionType' | 'answerType'
>;

function officialHint(r: PromptFields): string {
  if (r.questionType === 'multi_choice') {
    return 'Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.';
  }
  switch (r.answerType) {
    case 'integer':
      return 'Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.';
    case 'float':
      if (r.precision === 1) {
        return 'Please answer the question requiring a floating-point number with one decimal place and provide the final value, e.g., 1.2, 1.3, 1.4, at the end.';
      }
      if (r.precision === 2) {
        return 'Please answer the question requiring a floating-point number with two decimal places and provide the final value, e.g., 1.23, 1.34, 1.45, at the end.';
      }
      return '';
    case 'list':
      return 'Please answer the question requiring a Python list as an answer and provide the final list, e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.';
    default:
      return '';
  }
}

const letter = (i: number): string => String.fromCharCode(65 + i);

/** The official query layout: `Hint: …\nQuestion: …[ (Unit: u)]\n[Choices:\n(A) c0\n…]`. */
export function buildOfficialQuery(r: PromptFields): string {
  let q = `Hint: ${officialHint(r)}\nQuestion: ${r.question}`;
  if (r.unit) q += ` (Unit: ${r.unit})`;
  if (r.choices && r.choices.length > 0)
    q += `\nChoices:\n${r.choices.map((c, i) => `(${letter(i)}) ${c}`).join('\n')}`;
  return q;
}

function formatHint(r: PromptFields): string {
  if (r.questionType === 'multi_choice') return "Answer with the option's letter from the given choices directly.";
  switch (r.answerType) {
    case 'integer':
      return 'Answer the question using a single integer number.';
    case 'float':
      if (r.precision === 1) return 'Answer the question using a single floating-point number with one decimal place.';
      if (r.precision === 2) return 'Answer the question using a single floating-point number with two decimal places.';
      return '';
    case 'list':
      return 'Answer the question using a Python list.';
    default:
      return '';
  }
}

/** lmms-eval `format-prompt`: question[ (Unit: u)], `A. c0` lines, one hint; empty parts dropped, stripped. */
export function buildFormatPrompt(r: PromptFields): string {
  const question = r.unit ? `${r.question} (Unit: ${r.unit})` : r.question;
  const choices = r.choices && r.choices.length > 0 ? r.choices.map((c, i) => `${letter(i)}. ${c}`).join('\n') : '';
  return pyStrip([question, choices, formatHint(r)].filter((p) => p !== '').join('\n'));
}

export type MathVistaPromptStyle = 'query' | 'format-prompt';

export function mathVistaPrompt(r: MathVistaRecord, style: MathVistaPromptStyle): string {
  return style === 'query' ? r.query : buildFormatPrompt(r);
}
