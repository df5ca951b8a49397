// What the report shows for a benchmark (each folder's report.ts fills these): headline metrics, failure rates,
// per-category breakdowns (all read from the scorers' summaries), the bootstrap behind the intervals of metrics
// that are not one proportion, and how a sample reads in the viewer.
import type { SampleScore, ScoreSummary } from '../types.js';
import { mean } from './stats.js';

export interface MetricColumn {
  key: string;
  label: string;
  /** Upper end of the chart axis (percentages: 100; ImgEdit's 1–5 judge scale: 5). */
  max: number;
}

/** A share of the samples, in percent: answers no rule could read, random fallbacks, unscored judge replies. */
export interface RateColumn {
  label: string;
  value(summary: ScoreSummary): number | null;
}

/** A per-category table: which metric keys are categories, and the category each names. */
export interface Breakdown {
  title: string;
  category(key: string): string | null;
  max: number;
}

/** A metric's bootstrap: its samples (from scores.jsonl) in strata, and the statistic over them. */
export interface BootstrapSpec {
  strata(scores: SampleScore[]): number[][];
  statistic(strata: number[][]): number;
}

export interface ReportSpec {
  title: string;
  columns: MetricColumn[];
  rates: RateColumn[];
  breakdowns: Breakdown[];
  bootstraps: Record<string, BootstrapSpec>;
}

/** A sample in the viewer: what the scorer read, the reference, the score, and whether "wrong answers only" keeps it. */
export interface Verdict {
  extracted: string;
  answer: string;
  score: string;
  wrong: boolean;
}

export const pct = (key: string, label: string): MetricColumn => ({ key, label, max: 100 });

export const share = (count: number | null | undefined, of: number | null | undefined): number | null =>
  typeof count === 'number' && typeof of === 'number' && of > 0 ? (count / of) * 100 : null;

export const sum = (xs: Array<number | null | undefined>): number => xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** Keys `<prefix>/<category>` → category. */
export const prefixed =
  (prefix: string) =>
  (key: string): string | null =>
    key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : null;

export const meanOfMeans = (strata: number[][]): number => mean(strata.map(mean));

/** A score field as the viewer shows it. */
export const text = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);

/** The score and the filter of a sample scored correct or not. */
export const correctness = (row: SampleScore): Pick<Verdict, 'score' | 'wrong'> => ({
  score: row.correct === true ? 'correct' : 'wrong',
  wrong: row.correct !== true,
});
