// ChartQA's prompt, as lmms-eval builds it.
import type { ChartQARecord } from './load.js';

/** `${question}\nAnswer the question with a single word.` (lmms-eval chartqa.yaml). */
export function chartQAPrompt(r: Pick<ChartQARecord, 'question'>): string {
  return `${r.question}\nAnswer the question with a single word.`;
}
