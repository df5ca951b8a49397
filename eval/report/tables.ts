// The report's data: per benchmark, the headline metrics of every run beside the reference numbers.
import type { RunEntry } from './collect.js';
import { REFERENCES } from './references.js';

export interface MetricColumn {
  key: string;
  label: string;
  /** Upper end of the chart axis (percentages: 100; ImgEdit's 1–5 judge scale: 5). */
  max: number;
}

export interface Row {
  kind: 'run' | 'reference';
  label: string;
  model: string | null;
  n: number | null;
  errors: number | null;
  values: Record<string, number | null>;
  /** Where a reference number comes from. */
  source?: string;
}

export interface BenchmarkTable {
  benchmark: string;
  title: string;
  columns: MetricColumn[];
  rows: Row[];
}

const pct = (key: string, label: string): MetricColumn => ({ key, label, max: 100 });

/** Display order and headline metrics (keys as `lavida-eval score` reports them). */
export const HEADLINES: Array<{ benchmark: string; title: string; columns: MetricColumn[] }> = [
  { benchmark: 'mathvista', title: 'MathVista (testmini)', columns: [pct('accuracy', 'accuracy %')] },
  { benchmark: 'chartqa', title: 'ChartQA', columns: [pct('relaxed_overall', 'relaxed acc. %'), pct('relaxed_human', 'human %'), pct('relaxed_augmented', 'augmented %')] },
  { benchmark: 'mmmu-pro', title: 'MMMU-Pro', columns: [pct('mean', 'mean %'), pct('standard', 'standard (10 opt.) %'), pct('vision', 'vision %')] },
  { benchmark: 'lisa', title: 'Lisa-Grounding', columns: [pct('P@0.5', 'P@0.5 %'), pct('miou', 'mIoU %')] },
  { benchmark: 'imgedit', title: 'ImgEdit', columns: [{ key: 'overall', label: 'overall (1–5)', max: 5 }, { key: 'sample_mean', label: 'sample mean (1–5)', max: 5 }] },
];

function runRow(r: RunEntry, columns: MetricColumn[]): Row {
  const m = r.summary?.metrics ?? {};
  return {
    kind: 'run', label: r.label, model: r.record.model, n: r.summary?.n ?? null, errors: r.record.errors,
    values: Object.fromEntries(columns.map((c) => [c.key, m[c.key] ?? null])),
  };
}

function referenceRows(benchmark: string, columns: MetricColumn[]): Row[] {
  const refs = REFERENCES.filter((x) => x.benchmark === benchmark);
  return [...new Set(refs.map((x) => x.system))].map((system) => {
    const mine = refs.filter((x) => x.system === system);
    return {
      kind: 'reference', label: system, model: null, n: null, errors: null,
      values: Object.fromEntries(columns.map((c) => [c.key, mine.find((x) => x.metric === c.key)?.value ?? null])),
      source: [...new Set(mine.map((x) => x.source))].join('; '),
    };
  });
}

/** One table per benchmark that has runs, in the HEADLINES order; references follow the runs. */
export function buildTables(runs: RunEntry[]): BenchmarkTable[] {
  return HEADLINES.filter((h) => runs.some((r) => r.record.benchmark === h.benchmark)).map((h) => ({
    ...h,
    rows: [...runs.filter((r) => r.record.benchmark === h.benchmark).map((r) => runRow(r, h.columns)), ...referenceRows(h.benchmark, h.columns)],
  }));
}

/** Percentages with one decimal, judge scores with two; "—" for no value. */
export function formatValue(v: number | null, column: MetricColumn): string {
  if (v === null) return '—';
  return v.toFixed(column.max === 5 ? 2 : 1);
}
