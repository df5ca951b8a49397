// ChartQA in the report: relaxed accuracy overall and by split; the viewer's row.
import { correctness, pct, text, type ReportSpec, type Verdict } from '../../report/spec.js';
import type { SampleScore } from '../../types.js';

export const CHARTQA_REPORT: ReportSpec = {
  title: 'ChartQA',
  columns: [
    pct('relaxed_overall', 'relaxed acc. %'),
    pct('relaxed_human', 'human %'),
    pct('relaxed_augmented', 'augmented %'),
  ],
  rates: [],
  breakdowns: [
    {
      title: 'by split',
      category: (k) => ({ relaxed_human: 'human', relaxed_augmented: 'augmented' })[k] ?? null,
      max: 100,
    },
  ],
  bootstraps: {},
};

export const chartQAVerdict = (r: SampleScore): Verdict => ({
  extracted: text(r.prediction),
  answer: Array.isArray(r.answer) ? r.answer.join(' | ') : text(r.answer),
  ...correctness(r),
});
