// Inline SVG horizontal bar charts (no scripts, no external assets).
import type { Interval } from './stats.js';

export interface Bar {
  label: string;
  value: number | null;
  /** Drawn as a whisker across the bar. */
  interval: Interval | null;
  reference: boolean;
}

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const ROW = 22;
const LABEL_W = 320;
const PLOT_W = 320;

/** Bars scaled to [0, max], with their intervals as whiskers; a missing value is drawn as "n/a". */
export function barChart(title: string, bars: Bar[], max: number, format: (v: number) => string): string {
  const height = 28 + bars.length * ROW + 8;
  const width = LABEL_W + PLOT_W + 70;
  const rows = bars.map((b, i) => {
    const y = 28 + i * ROW;
    const x = (v: number): number => LABEL_W + Math.max(0, Math.min(1, v / max)) * PLOT_W;
    const end = b.value === null ? LABEL_W : x(b.value);
    const text = b.value === null ? 'n/a' : format(b.value);
    const whisker = b.interval
      ? `<line x1="${x(b.interval.lo).toFixed(1)}" y1="${y + 11}" x2="${x(b.interval.hi).toFixed(1)}" y2="${y + 11}" class="ci"/>`
      : '';
    const textX = Math.max(end, b.interval ? x(b.interval.hi) : end) + 4;
    return (
      `<text x="${LABEL_W - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${LABEL_W}" y="${y + 3}" width="${(end - LABEL_W).toFixed(1)}" height="${ROW - 6}" class="${b.reference ? 'ref' : 'run'}"/>` +
      `${whisker}<text x="${textX.toFixed(1)}" y="${y + 14}">${esc(text)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="4" y="16" class="title">${esc(title)}</text>` +
    `<line x1="${LABEL_W}" y1="24" x2="${LABEL_W}" y2="${height - 4}" class="axis"/>${rows.join('')}</svg>`
  );
}
