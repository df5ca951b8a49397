// ImgEdit in the report: the judge's overall and sample mean (bootstrapped), the unscored replies, by edit type;
// the viewer's row.
import { meanOfMeans, share, type ReportSpec, type Verdict } from '../../report/spec.js';
import { mean } from '../../report/stats.js';
import type { SampleScore } from '../../types.js';

const TOTALS = ['overall', 'sample_mean', 'dropped', 'unparseable'];
/** An ImgEdit sample counts as wrong when the judge gave it no score or an average below the scale's middle. */
const PASS = 3;

const judged = (rows: SampleScore[]): SampleScore[] => rows.filter((r) => typeof r.avg === 'number');

export const IMGEDIT_REPORT: ReportSpec = {
  title: 'ImgEdit',
  columns: [
    { key: 'overall', label: 'overall (1–5)', max: 5 },
    { key: 'sample_mean', label: 'sample mean (1–5)', max: 5 },
  ],
  rates: [{ label: 'unscored judge replies %', value: (s) => share(s.metrics.dropped, s.n) }],
  breakdowns: [{ title: 'by edit type (1–5)', category: (k) => (TOTALS.includes(k) ? null : k), max: 5 }],
  bootstraps: {
    // overall: the mean of the edit types' means, resampled within each type
    overall: {
      strata: (rows) => {
        const byType = new Map<string, number[]>();
        for (const r of judged(rows))
          byType.set(String(r.edit_type), [...(byType.get(String(r.edit_type)) ?? []), r.avg as number]);
        return [...byType.values()];
      },
      statistic: meanOfMeans,
    },
    sample_mean: { strata: (rows) => [judged(rows).map((r) => r.avg as number)], statistic: ([xs]) => mean(xs!) },
  },
};

export const imgEditVerdict = (r: SampleScore): Verdict => ({
  extracted: '',
  answer: '',
  score: typeof r.avg === 'number' ? `${r.avg} / 5` : 'no score in the judge reply',
  wrong: typeof r.avg !== 'number' || r.avg < PASS,
});
