// 95% confidence intervals for the report: the Wilson score interval for proportions (accuracies), and the
// percentile bootstrap, with a fixed seed, for statistics that are not one proportion (mIoU, a mean of settings).
import { mulberry32 } from '../rng.js';

/** An interval on the metric's scale (percent). */
export interface Interval {
  lo: number;
  hi: number;
}

/** The standard normal quantile at 0.975. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval of `hits` of `n`, in percent:
 * (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), with p = hits/n.
 */
export function wilsonInterval(hits: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = hits / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, centre - half) * 100, hi: Math.min(1, centre + half) * 100 };
}

export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_SEED = 0;

/** The value at quantile q of sorted xs (linear interpolation between order statistics). */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  return sorted[i]! + (sorted[Math.min(i + 1, sorted.length - 1)]! - sorted[i]!) * (pos - i);
}

/**
 * Percentile bootstrap 95% interval of `statistic` over samples in `strata`: each resample draws, within every
 * stratum, as many samples as it has, with replacement; the same inputs always give the same interval.
 */
export function bootstrapInterval(
  strata: number[][],
  statistic: (strata: number[][]) => number,
  { resamples = BOOTSTRAP_RESAMPLES, seed = BOOTSTRAP_SEED } = {},
): Interval | null {
  if (strata.length === 0 || strata.some((s) => s.length === 0)) return null;
  const random = mulberry32(seed);
  const stats: number[] = [];
  for (let b = 0; b < resamples; b++) {
    stats.push(statistic(strata.map((s) => s.map(() => s[Math.floor(random() * s.length)]!))));
  }
  stats.sort((a, b) => a - b);
  return { lo: quantile(stats, 0.025), hi: quantile(stats, 0.975) };
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
