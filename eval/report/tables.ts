// The report's data: per benchmark, the headline metrics (with intervals and failure rates) and the judge of every
// run beside the reference numbers, and its per-category tables.
import { BENCHMARKS } from '../benchmarks/registry.js';
import type { JudgeRecord } from '../types.js';
import type { RunEntry } from './collect.js';
import { runIntervals } from './intervals.js';
import { REFERENCES } from './references.js';
import type { Breakdown, MetricColumn, ReportSpec } from './spec.js';
import type { Interval } from './stats.js';

export interface Row {
  kind: 'run' | 'reference';
  label: string;
  n: number | null;
  errors: number | null;
  values: Record<string, number | null>;
  intervals: Record<string, Interval | null>;
  /** By rate label (ReportSpec.rates). */
  rates: Record<string, number | null>;
  /** Where a reference number comes from. */
  source?: string;
  /** Who judged a run's answers, when its summary says (ImgEdit). */
  judge?: string;
}

export interface CategoryCell {
  value: number | null;
  interval: Interval | null;
  /** Samples in the category, when the summary says. */
  n: number | null;
}

export interface CategoryTable {
  title: string;
  max: number;
  /** Column headers: the runs' labels. */
  runs: string[];
  rows: Array<{ category: string; cells: CategoryCell[] }>;
}

export interface BenchmarkTable {
  benchmark: string;
  title: string;
  columns: MetricColumn[];
  rates: string[];
  rows: Row[];
  categories: CategoryTable[];
}

interface ScoredRun {
  run: RunEntry;
  intervals: Record<string, Interval>;
}

/** Leading hex digits of the judge prompt file's sha256 shown in the report. */
const PROMPT_HASH_DIGITS = 8;

/** "gpt-4o at https://api.openai.com/v1, judge prompts sha256 3f2a9c1d", "the world oracle judge". */
export function judgeText(j: JudgeRecord): string {
  return j.kind === 'world-oracle'
    ? 'the world oracle judge'
    : `${j.model} at ${j.url}, judge prompts sha256 ${j.prompts_sha256.slice(0, PROMPT_HASH_DIGITS)}`;
}

function runRow({ run, intervals }: ScoredRun, spec: ReportSpec): Row {
  const m = run.summary?.metrics ?? {};
  const summary = run.summary;
  return {
    kind: 'run',
    label: run.label,
    n: summary?.n ?? null,
    errors: run.record.errors,
    values: Object.fromEntries(spec.columns.map((c) => [c.key, m[c.key] ?? null])),
    intervals: Object.fromEntries(spec.columns.map((c) => [c.key, intervals[c.key] ?? null])),
    rates: Object.fromEntries(spec.rates.map((r) => [r.label, summary ? r.value(summary) : null])),
    ...(summary?.judge ? { judge: judgeText(summary.judge) } : {}),
  };
}

function referenceRows(benchmark: string, spec: ReportSpec): Row[] {
  const refs = REFERENCES.filter((x) => x.benchmark === benchmark);
  return [...new Set(refs.map((x) => x.system))].map((system) => {
    const mine = refs.filter((x) => x.system === system);
    return {
      kind: 'reference',
      label: system,
      n: null,
      errors: null,
      values: Object.fromEntries(spec.columns.map((c) => [c.key, mine.find((x) => x.metric === c.key)?.value ?? null])),
      intervals: {},
      rates: {},
      source: [...new Set(mine.map((x) => x.source))].join('; '),
    };
  });
}

/** One table per breakdown that any run has categories for; categories in the order the summaries list them. */
function categoryTable(b: Breakdown, runs: ScoredRun[]): CategoryTable | null {
  const keys = new Map<string, string>(); // category → metric key
  for (const { run } of runs) {
    for (const key of Object.keys(run.summary?.metrics ?? {})) {
      const category = b.category(key);
      if (category !== null && !keys.has(category)) keys.set(category, key);
    }
  }
  if (keys.size === 0) return null;
  return {
    title: b.title,
    max: b.max,
    runs: runs.map(({ run }) => run.label),
    rows: [...keys].map(([category, key]) => ({
      category,
      cells: runs.map(({ run, intervals }) => ({
        value: run.summary?.metrics[key] ?? null,
        interval: intervals[key] ?? null,
        n: run.summary?.sample_counts?.[key] ?? null,
      })),
    })),
  };
}

/** One table per benchmark that has runs, in the registry's order; references follow the runs. */
export function buildTables(runs: RunEntry[]): BenchmarkTable[] {
  return BENCHMARKS.filter((b) => runs.some((r) => r.record.benchmark === b.name)).map(({ name, report: spec }) => {
    const mine = runs
      .filter((r) => r.record.benchmark === name)
      .map((run) => ({ run, intervals: runIntervals(run, spec) }));
    return {
      benchmark: name,
      title: spec.title,
      columns: spec.columns,
      rates: spec.rates.map((r) => r.label),
      rows: [...mine.map((r) => runRow(r, spec)), ...referenceRows(name, spec)],
      categories: spec.breakdowns.map((b) => categoryTable(b, mine)).filter((t): t is CategoryTable => t !== null),
    };
  });
}

/** Percentages with one decimal, judge scores (max 5) with two; "—" for no value. */
export function formatValue(v: number | null | undefined, max: number): string {
  if (v === null || v === undefined) return '—';
  return v.toFixed(max === 5 ? 2 : 1);
}

/** "[38.1, 52.5]", or "" without an interval. */
export function formatInterval(i: Interval | null | undefined, max: number): string {
  return i ? `[${formatValue(i.lo, max)}, ${formatValue(i.hi, max)}]` : '';
}
