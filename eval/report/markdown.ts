// report.md: one table per benchmark, runs first, then the published numbers with their sources.
import { formatValue, type BenchmarkTable } from './tables.js';

export const CAVEAT = 'Published numbers are on the real benchmarks; runs on the synthetic world mini-benchmarks ' +
  'are comparable with each other, not in absolute terms with the published numbers.';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(tables: BenchmarkTable[], generatedAt: string): string {
  const out = ['# LaViDa-R1 evaluation report', '', `Generated ${generatedAt} by \`lavida-eval report\`. ${CAVEAT}`, ''];
  for (const t of tables) {
    out.push(`## ${t.title}`, '');
    out.push(`| system | model | n | errors | ${t.columns.map((c) => cell(c.label)).join(' | ')} |`);
    out.push(`|---|---|---:|---:|${t.columns.map(() => '---:').join('|')}|`);
    for (const r of t.rows) {
      const name = r.kind === 'reference' ? `*${cell(r.label)}*` : cell(r.label);
      out.push(`| ${name} | ${cell(r.model ?? '')} | ${r.n ?? ''} | ${r.errors ?? ''} | ${t.columns.map((c) => formatValue(r.values[c.key] ?? null, c)).join(' | ')} |`);
    }
    const sources = t.rows.filter((r) => r.source);
    if (sources.length > 0) out.push('', ...sources.map((r) => `- *${r.label}*: ${r.source}`));
    out.push('');
  }
  return out.join('\n');
}
