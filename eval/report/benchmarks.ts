// What the report shows for each benchmark: headline metrics, failure rates, per-category breakdowns (all read
// from the scorers' summaries), and the bootstrap behind the intervals of metrics that are not one proportion.
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

export interface BenchmarkSpec {
  benchmark: string;
  title: string;
  columns: MetricColumn[];
  rates: RateColumn[];
  breakdowns: Breakdown[];
  bootstraps: Record<string, BootstrapSpec>;
}

const pct = (key: string, label: string): MetricColumn => ({ key, label, max: 100 });

const share = (count: number | null | undefined, of: number | null | undefined): number | null =>
  typeof count === 'number' && typeof of === 'number' && of > 0 ? (count / of) * 100 : null;

const sum = (xs: Array<number | null | undefined>): number => xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** Keys `<prefix>/<category>` → category. */
const prefixed = (prefix: string) => (key: string): string | null => (key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : null);

const MATHVISTA_GROUPS = ['skills', 'category', 'task', 'context', 'grade', 'question_type', 'answer_type', 'language', 'source'];
/** Extraction methods that leave no answer: an empty response, no LLM judge configured, a failed judge call. */
const NO_ANSWER_METHODS = ['empty', 'no-judge', 'llm-failed'];
const IMGEDIT_TOTALS = ['overall', 'sample_mean', 'dropped', 'unparseable'];

const correctness = (rows: SampleScore[]): number[] => rows.map((r) => (r.correct === true ? 100 : 0));
const judged = (rows: SampleScore[]): SampleScore[] => rows.filter((r) => typeof r.avg === 'number');
const meanOfMeans = (strata: number[][]): number => mean(strata.map(mean));

/** Display order of the report. */
export const BENCHMARK_SPECS: BenchmarkSpec[] = [
  {
    benchmark: 'mathvista',
    title: 'MathVista (testmini)',
    columns: [pct('accuracy', 'accuracy %')],
    rates: [{ label: 'no answer extracted %', value: (s) => share(sum(NO_ANSWER_METHODS.map((m) => s.metrics[`extraction_method/${m}`])), s.n) }],
    breakdowns: MATHVISTA_GROUPS.map((g) => ({ title: `by ${g.replace('_', ' ')}`, category: prefixed(g), max: 100 })),
    bootstraps: {},
  },
  {
    benchmark: 'chartqa',
    title: 'ChartQA',
    columns: [pct('relaxed_overall', 'relaxed acc. %'), pct('relaxed_human', 'human %'), pct('relaxed_augmented', 'augmented %')],
    rates: [],
    breakdowns: [{ title: 'by split', category: (k) => ({ relaxed_human: 'human', relaxed_augmented: 'augmented' })[k] ?? null, max: 100 }],
    bootstraps: {},
  },
  {
    benchmark: 'mmmu-pro',
    title: 'MMMU-Pro',
    columns: [pct('mean', 'mean %'), pct('standard', 'standard (10 opt.) %'), pct('vision', 'vision %')],
    rates: (['standard', 'vision'] as const).map((k) => ({
      label: `${k} random fallback %`, value: (s: ScoreSummary) => share(s.metrics[`${k}/fallbacks`], s.sample_counts?.[k]),
    })),
    breakdowns: [
      { title: 'by setting', category: (k) => (k === 'standard' || k === 'vision' ? k : null), max: 100 },
      { title: 'by subject (standard)', category: prefixed('standard/subject'), max: 100 },
      { title: 'by subject (vision)', category: prefixed('vision/subject'), max: 100 },
    ],
    bootstraps: {
      // the mean of the two settings' accuracies: resampled within each setting
      mean: {
        strata: (rows) => ['standard/', 'vision/'].map((p) => correctness(rows.filter((r) => r.id.startsWith(p)))),
        statistic: meanOfMeans,
      },
    },
  },
  {
    benchmark: 'lisa',
    title: 'Lisa-Grounding',
    columns: [pct('P@0.5', 'P@0.5 %'), pct('miou', 'mIoU %')],
    rates: [{ label: 'parse failures %', value: (s) => share(s.metrics.parse_failures, s.n) }],
    breakdowns: [],
    bootstraps: { miou: { strata: (rows) => [rows.map((r) => Number(r.iou) * 100)], statistic: ([ious]) => mean(ious!) } },
  },
  {
    benchmark: 'imgedit',
    title: 'ImgEdit',
    columns: [{ key: 'overall', label: 'overall (1–5)', max: 5 }, { key: 'sample_mean', label: 'sample mean (1–5)', max: 5 }],
    rates: [{ label: 'unscored judge replies %', value: (s) => share(s.metrics.dropped, s.n) }],
    breakdowns: [{ title: 'by edit type (1–5)', category: (k) => (IMGEDIT_TOTALS.includes(k) ? null : k), max: 5 }],
    bootstraps: {
      // overall: the mean of the edit types' means, resampled within each type
      overall: {
        strata: (rows) => {
          const byType = new Map<string, number[]>();
          for (const r of judged(rows)) byType.set(String(r.edit_type), [...(byType.get(String(r.edit_type)) ?? []), r.avg as number]);
          return [...byType.values()];
        },
        statistic: meanOfMeans,
      },
      sample_mean: { strata: (rows) => [judged(rows).map((r) => r.avg as number)], statistic: ([xs]) => mean(xs!) },
    },
  },
];
