// MathVista in the report: accuracy, the answers no rule could extract, the per-category tables; the viewer's row.
import { correctness, pct, prefixed, share, sum, text, type ReportSpec, type Verdict } from '../../report/spec.js';
import type { SampleScore } from '../../types.js';

const GROUPS = ['skills', 'category', 'task', 'context', 'grade', 'question_type', 'answer_type', 'language', 'source'];
/** Extraction methods that leave no answer: an empty response, no LLM judge configured, a failed judge call. */
const NO_ANSWER_METHODS = ['empty', 'no-judge', 'llm-failed'];

export const MATHVISTA_REPORT: ReportSpec = {
  title: 'MathVista (testmini)',
  columns: [pct('accuracy', 'accuracy %')],
  rates: [
    {
      label: 'no answer extracted %',
      value: (s) => share(sum(NO_ANSWER_METHODS.map((m) => s.metrics[`extraction_method/${m}`])), s.n),
    },
  ],
  breakdowns: GROUPS.map((g) => ({ title: `by ${g.replace('_', ' ')}`, category: prefixed(g), max: 100 })),
  bootstraps: {},
};

export const mathVistaVerdict = (r: SampleScore): Verdict => ({
  extracted: `${text(r.extraction)} → ${text(r.prediction)} (${text(r.method)})`,
  answer: text(r.answer),
  ...correctness(r),
});
