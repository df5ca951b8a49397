// Lisa-Grounding in the report: P@0.5 and mIoU (bootstrapped), the parse failures; the viewer's row.
import { pct, share, text, type ReportSpec, type Verdict } from '../../report/spec.js';
import { mean } from '../../report/stats.js';
import type { SampleScore } from '../../types.js';

export const LISA_REPORT: ReportSpec = {
  title: 'Lisa-Grounding',
  columns: [pct('P@0.5', 'P@0.5 %'), pct('miou', 'mIoU %')],
  rates: [{ label: 'parse failures %', value: (s) => share(s.metrics.parse_failures, s.n) }],
  breakdowns: [],
  bootstraps: {
    miou: { strata: (rows) => [rows.map((r) => Number(r.iou) * 100)], statistic: ([ious]) => mean(ious!) },
  },
};

export const lisaVerdict = (r: SampleScore): Verdict => ({
  extracted: `${text(r.box)} (${text(r.source)})`,
  answer: text(r.answer),
  score: `IoU ${Number(r.iou).toFixed(3)}${r.hit === true ? ' (hit)' : ' (miss)'}`,
  wrong: r.hit !== true,
});
