// Inline SVG horizontal bar charts (no scripts, no external assets).
export interface Bar {
  label: string;
  value: number | null;
  reference: boolean;
}

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const ROW = 22;
const LABEL_W = 200;
const PLOT_W = 320;

/** Bars scaled to [0, max]; a missing value is drawn as "n/a". */
export function barChart(title: string, bars: Bar[], max: number, format: (v: number) => string): string {
  const height = 28 + bars.length * ROW + 8;
  const width = LABEL_W + PLOT_W + 70;
  const rows = bars.map((b, i) => {
    const y = 28 + i * ROW;
    const w = b.value === null ? 0 : Math.max(0, Math.min(1, b.value / max)) * PLOT_W;
    const text = b.value === null ? 'n/a' : format(b.value);
    return `<text x="${LABEL_W - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" class="${b.reference ? 'ref' : 'run'}"/>` +
      `<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + 14}">${esc(text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="4" y="16" class="title">${esc(title)}</text>` +
    `<line x1="${LABEL_W}" y1="24" x2="${LABEL_W}" y2="${height - 4}" class="axis"/>${rows.join('')}</svg>`;
}
