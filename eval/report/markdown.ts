// report.md: per benchmark, the headline table (runs, then the published numbers), the runs' judges and the
// numbers' sources, and the per-category tables.
import { INTERVALS_NOTE } from './intervals.js';
import {
  formatInterval,
  formatValue,
  type BenchmarkTable,
  type CategoryCell,
  type CategoryTable,
  type Row,
} from './tables.js';

export const CAVEAT =
  'Published numbers are on the real benchmarks; runs on the synthetic world mini-benchmarks ' +
  'are comparable with each other, not in absolute terms with the published numbers.';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** "37.5 [26.1, 50.4]". */
export const valueWithInterval = (row: Pick<Row, 'values' | 'intervals'>, key: string, max: number): string =>
  [formatValue(row.values[key], max), formatInterval(row.intervals[key], max)].filter(Boolean).join(' ');

export const categoryCell = (c: CategoryCell, max: number): string =>
  [formatValue(c.value, max), formatInterval(c.interval, max), c.n === null ? '' : `n=${c.n}`]
    .filter(Boolean)
    .join(' ');

function headline(t: BenchmarkTable): string[] {
  const out = [
    `| run | n | errors | ${[...t.columns.map((c) => c.label), ...t.rates].map(cell).join(' | ')} |`,
    `|---|---:|---:|${[...t.columns, ...t.rates].map(() => '---:').join('|')}|`,
  ];
  for (const r of t.rows) {
    const name = r.kind === 'reference' ? `*${cell(r.label)}*` : cell(r.label);
    const rates = t.rates.map((label) => (r.kind === 'reference' ? '' : formatValue(r.rates[label], 100)));
    out.push(
      `| ${name} | ${r.n ?? ''} | ${r.errors ?? ''} | ${[...t.columns.map((c) => valueWithInterval(r, c.key, c.max)), ...rates].join(' | ')} |`,
    );
  }
  const notes = [
    ...t.rows.filter((r) => r.judge).map((r) => `- ${cell(r.label)}: judged by ${r.judge}`),
    ...t.rows.filter((r) => r.source).map((r) => `- *${r.label}*: ${r.source}`),
  ];
  if (notes.length > 0) out.push('', ...notes);
  return out;
}

function categories(benchmark: string, c: CategoryTable): string[] {
  return [
    `### ${benchmark} ${c.title}`,
    '',
    `| category | ${c.runs.map(cell).join(' | ')} |`,
    `|---|${c.runs.map(() => '---:').join('|')}|`,
    ...c.rows.map((r) => `| ${cell(r.category)} | ${r.cells.map((x) => categoryCell(x, c.max)).join(' | ')} |`),
    '',
  ];
}

export function renderMarkdown(tables: BenchmarkTable[], generatedAt: string, viewer: string | null): string {
  const out = [
    '# LaViDa-R1 evaluation report',
    '',
    `Generated ${generatedAt} by \`lavida-eval report\`. ${CAVEAT}`,
    '',
    INTERVALS_NOTE,
    '',
  ];
  if (viewer) out.push(`Samples (image, prompt, response, extracted answer, score): [${viewer}](${viewer}).`, '');
  for (const t of tables) {
    out.push(`## ${t.title}`, '', ...headline(t), '');
    for (const c of t.categories) out.push(...categories(t.title, c));
  }
  return out.join('\n');
}
