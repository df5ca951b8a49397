// report.html: a self-contained page (inline CSS and SVG) with the tables and one chart per headline metric.
import { CAVEAT } from './markdown.js';
import { barChart, esc } from './svg.js';
import { formatValue, type BenchmarkTable } from './tables.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right}
tr.reference td{font-style:italic;background:#f6f6f6}.charts{display:flex;flex-wrap:wrap;gap:1em}
svg text{font:12px system-ui,sans-serif}svg .title{font-weight:bold}rect.run{fill:#3b7dd8}rect.ref{fill:#b0b0b0}
line.axis{stroke:#888}.src{color:#666;font-size:12px}`;

function table(t: BenchmarkTable): string {
  const head = `<tr><th>system</th><th>model</th><th>n</th><th>errors</th>${t.columns.map((c) => `<th>${esc(c.label)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr class="${r.kind}"><td>${esc(r.label)}</td><td>${esc(r.model ?? '')}</td>` +
    `<td class="num">${r.n ?? ''}</td><td class="num">${r.errors ?? ''}</td>` +
    `${t.columns.map((c) => `<td class="num">${formatValue(r.values[c.key] ?? null, c)}</td>`).join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

function charts(t: BenchmarkTable): string {
  return t.columns.map((c) => {
    const bars = t.rows.filter((r) => r.kind === 'run' || r.values[c.key] != null)
      .map((r) => ({ label: r.label, value: r.values[c.key] ?? null, reference: r.kind === 'reference' }));
    return barChart(`${t.title}: ${c.label}`, bars, c.max, (v) => formatValue(v, c));
  }).join('');
}

export function renderHtml(tables: BenchmarkTable[], generatedAt: string): string {
  const sections = tables.map((t) => {
    const sources = t.rows.filter((r) => r.source).map((r) => `<div class="src">${esc(r.label)}: ${esc(r.source!)}</div>`).join('');
    return `<h2>${esc(t.title)}</h2>${table(t)}${sources}<div class="charts">${charts(t)}</div>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LaViDa-R1 evaluation report</title>` +
    `<style>${STYLE}</style></head><body><h1>LaViDa-R1 evaluation report</h1>` +
    `<p>Generated ${esc(generatedAt)} by <code>lavida-eval report</code>. ${esc(CAVEAT)} Blue: runs; grey: published numbers.</p>` +
    `${sections.join('')}</body></html>\n`;
}
