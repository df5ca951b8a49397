// MMMU-Pro in the report: the two settings and their mean, the random fallbacks, by setting and subject; the
// viewer's row.
import {
  correctness,
  meanOfMeans,
  pct,
  prefixed,
  share,
  text,
  type ReportSpec,
  type Verdict,
} from '../../report/spec.js';
import type { SampleScore, ScoreSummary } from '../../types.js';

const correct = (rows: SampleScore[]): number[] => rows.map((r) => (r.correct === true ? 100 : 0));

export const MMMU_PRO_REPORT: ReportSpec = {
  title: 'MMMU-Pro',
  columns: [pct('mean', 'mean %'), pct('standard', 'standard (10 opt.) %'), pct('vision', 'vision %')],
  rates: (['standard', 'vision'] as const).map((k) => ({
    label: `${k} random fallback %`,
    value: (s: ScoreSummary) => share(s.metrics[`${k}/fallbacks`], s.sample_counts?.[k]),
  })),
  breakdowns: [
    { title: 'by setting', category: (k) => (k === 'standard' || k === 'vision' ? k : null), max: 100 },
    { title: 'by subject (standard)', category: prefixed('standard/subject'), max: 100 },
    { title: 'by subject (vision)', category: prefixed('vision/subject'), max: 100 },
  ],
  bootstraps: {
    // the mean of the two settings' accuracies: resampled within each setting
    mean: {
      strata: (rows) => ['standard/', 'vision/'].map((p) => correct(rows.filter((r) => r.id.startsWith(p)))),
      statistic: meanOfMeans,
    },
  },
};

export const mmmuProVerdict = (r: SampleScore): Verdict => ({
  extracted: `${text(r.parsed)}${r.fallback === true ? ' (random fallback: no letter parsed)' : ''}`,
  answer: text(r.answer),
  ...correctness(r),
});
