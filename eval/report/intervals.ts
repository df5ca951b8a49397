// The 95% interval of every metric a run reports that has one: Wilson for proportions (the summary's
// sample_counts), the benchmark's bootstrap for the others (from scores.jsonl).
import type { RunEntry } from './collect.js';
import type { ReportSpec } from './spec.js';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrapInterval, wilsonInterval, type Interval } from './stats.js';

export const INTERVALS_NOTE =
  '95% confidence intervals in brackets: the Wilson score interval for accuracies (over the samples ' +
  `each is computed on); a percentile bootstrap (${BOOTSTRAP_RESAMPLES} resamples, seed ${BOOTSTRAP_SEED}) for mIoU, MMMU-Pro's mean of its two settings ` +
  "(resampled within each setting) and ImgEdit's judge scores (overall: resampled within each edit type).";

export function runIntervals(run: RunEntry, spec: ReportSpec): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  const metrics = run.summary?.metrics ?? {};
  for (const [key, n] of Object.entries(run.summary?.sample_counts ?? {})) {
    const value = metrics[key];
    const interval = typeof value === 'number' ? wilsonInterval(Math.round((value * n) / 100), n) : null;
    if (interval) out[key] = interval;
  }
  if (run.scores.length === 0) return out;
  for (const [key, b] of Object.entries(spec.bootstraps)) {
    const interval = typeof metrics[key] === 'number' ? bootstrapInterval(b.strata(run.scores), b.statistic) : null;
    if (interval) out[key] = interval;
  }
  return out;
}
