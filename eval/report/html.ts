// report.html: a self-contained page (inline CSS and SVG, no scripts) with the tables and one chart per
// headline metric (intervals drawn as whiskers).
import { INTERVALS_NOTE } from './intervals.js';
import { CAVEAT, categoryCell } from './markdown.js';
import { barChart, esc } from './svg.js';
import { formatInterval, formatValue, type BenchmarkTable, type CategoryTable } from './tables.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right}
tr.reference td{font-style:italic;background:#f6f6f6}.charts{display:flex;flex-wrap:wrap;gap:1em}.ci{color:#666;font-size:12px}
svg text{font:12px system-ui,sans-serif}svg .title{font-weight:bold}rect.run{fill:#3b7dd8}rect.ref{fill:#b0b0b0}
line.axis{stroke:#888}line.ci{stroke:#222}.src{color:#666;font-size:12px}h3{font-size:15px}`;

function table(t: BenchmarkTable): string {
  const head = `<tr><th>run</th><th>n</th><th>errors</th>${[...t.columns.map((c) => c.label), ...t.rates].map((l) => `<th>${esc(l)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => {
    const metrics = t.columns.map((c) => {
      const ci = formatInterval(r.intervals[c.key], c.max);
      return `<td class="num">${formatValue(r.values[c.key], c.max)}${ci ? ` <span class="ci">${ci}</span>` : ''}</td>`;
    });
    const rates = t.rates.map(
      (l) => `<td class="num">${r.kind === 'reference' ? '' : formatValue(r.rates[l], 100)}</td>`,
    );
    return `<tr class="${r.kind}"><td>${esc(r.label)}</td><td class="num">${r.n ?? ''}</td><td class="num">${r.errors ?? ''}</td>${metrics.join('')}${rates.join('')}</tr>`;
  });
  return `<table>${head}${rows.join('')}</table>`;
}

function categoryTable(benchmark: string, c: CategoryTable): string {
  const head = `<tr><th>category</th>${c.runs.map((r) => `<th>${esc(r)}</th>`).join('')}</tr>`;
  const rows = c.rows.map(
    (r) =>
      `<tr><td>${esc(r.category)}</td>${r.cells.map((x) => `<td class="num">${esc(categoryCell(x, c.max))}</td>`).join('')}</tr>`,
  );
  return `<h3>${esc(benchmark)} ${esc(c.title)}</h3><table>${head}${rows.join('')}</table>`;
}

function charts(t: BenchmarkTable): string {
  return t.columns
    .map((c) => {
      const bars = t.rows
        .filter((r) => r.kind === 'run' || r.values[c.key] != null)
        .map((r) => ({
          label: r.label,
          value: r.values[c.key] ?? null,
          interval: r.intervals[c.key] ?? null,
          reference: r.kind === 'reference',
        }));
      return barChart(`${t.title}: ${c.label}`, bars, c.max, (v) => formatValue(v, c.max));
    })
    .join('');
}

export function renderHtml(tables: BenchmarkTable[], generatedAt: string, viewer: string | null): string {
  const sections = tables.map((t) => {
    const sources = [
      ...t.rows.filter((r) => r.judge).map((r) => `<div class="src">${esc(r.label)}: judged by ${esc(r.judge!)}</div>`),
      ...t.rows.filter((r) => r.source).map((r) => `<div class="src">${esc(r.label)}: ${esc(r.source!)}</div>`),
    ].join('');
    return `<h2>${esc(t.title)}</h2>${table(t)}${sources}<div class="charts">${charts(t)}</div>${t.categories.map((c) => categoryTable(t.title, c)).join('')}`;
  });
  const samples = viewer
    ? `<p>Samples (image, prompt, response, extracted answer, score): <a href="${esc(viewer)}">${esc(viewer)}</a>.</p>`
    : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LaViDa-R1 evaluation report</title>` +
    `<style>${STYLE}</style></head><body><h1>LaViDa-R1 evaluation report</h1>` +
    `<p>Generated ${esc(generatedAt)} by <code>lavida-eval report</code>. ${esc(CAVEAT)} Blue: runs; grey: published numbers.</p>` +
    `<p>${esc(INTERVALS_NOTE)}</p>${samples}${sections.join('')}</body></html>\n`
  );
}
