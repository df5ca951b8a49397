// ChartQA relaxed accuracy exactly as pix2struct's relaxed_correctness.
import { matchPredictions } from '../../match.js';
import { pyFloat, pyRstrip, pyStrip } from '../../python.js';
import { percent, type Prediction, type SampleScore, type ScoreReport } from '../../types.js';
import type { ChartQARecord } from './load.js';

/** to_float: "x%" → float(x)/100, else float(x); null on ValueError. */
export function toFloat(text: string): number | null {
  if (text.endsWith('%')) {
    const f = pyFloat(pyRstrip(text, '%'));
    return f === null ? null : f / 100;
  }
  return pyFloat(text);
}

/** relaxed_correctness(prediction, target, max_relative_change=0.05). */
export function relaxedCorrectness(prediction: string, target: string, maxRelativeChange = 0.05): boolean {
  const p = toFloat(prediction);
  const g = toFloat(target);
  // `if p is not None and g:` — a target of 0.0 (or NaN's truthiness aside, None) falls to the string compare
  if (p !== null && g !== null && g !== 0) return Math.abs(p - g) / Math.abs(g) <= maxRelativeChange;
  return prediction.toLowerCase() === target.toLowerCase();
}

/** Prediction id: the 0-based row index, or `imgname#query`. */
function resolver(records: ChartQARecord[]): (id: string) => string | null {
  const byName = new Map<string, number | 'ambiguous'>();
  for (const r of records) {
    if (r.imgname === null) continue;
    const k = `${r.imgname}#${r.question}`;
    byName.set(k, byName.has(k) ? 'ambiguous' : r.index);
  }
  return (id) => {
    if (/^\d+$/.test(id) && Number(id) < records.length) return id;
    const hit = byName.get(id);
    return hit === undefined || hit === 'ambiguous' ? null : String(hit);
  };
}

export function scoreChartQA(records: ChartQARecord[], preds: Prediction[]): ScoreReport {
  const { pairs, missing } = matchPredictions(records, (r) => String(r.index), preds, resolver(records));
  const tally = { human: { hit: 0, total: 0 }, augmented: { hit: 0, total: 0 } };
  const samples: SampleScore[] = [];
  for (const { record, prediction } of pairs) {
    const pred = pyStrip(prediction.response);
    const correct = record.labels.some((l) => relaxedCorrectness(pred, l));
    tally[record.split].total++;
    if (correct) tally[record.split].hit++;
    samples.push({ id: String(record.index), prediction: pred, answer: record.labels, split: record.split, correct });
  }
  const hit = tally.human.hit + tally.augmented.hit;
  return {
    benchmark: 'chartqa',
    n: pairs.length,
    metrics: {
      relaxed_overall: percent(hit, pairs.length),
      relaxed_human: percent(tally.human.hit, tally.human.total),
      relaxed_augmented: percent(tally.augmented.hit, tally.augmented.total),
      correct: hit,
    },
    sample_counts: {
      relaxed_overall: pairs.length,
      relaxed_human: tally.human.total,
      relaxed_augmented: tally.augmented.total,
    },
    missing,
    settings: { metric: 'pix2struct relaxed_correctness (5%)' },
    samples,
  };
}
