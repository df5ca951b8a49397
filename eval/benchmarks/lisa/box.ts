// Box parsing (VLM-R1 R1 and baseline parsers, LOC tokens), coordinate mapping and IoU conventions.
import { pyFloat, pyInt, PY_WS_CLASS } from '../../python.js';
import type { Size } from '../../imagesize.js';

export type Box = [number, number, number, number];

const S = `[${PY_WS_CLASS}]`;
const D = '\\p{Nd}'; // Python's \d matches any Unicode decimal digit
/** `\{.*\[(\d+),\s*(\d+),\s*(\d+),\s*(\d+)]\s*.*\}` with Python's `.` (anything but \n). */
const R1_BOX = new RegExp(`\\{[^\\n]*\\[(${D}+),${S}*(${D}+),${S}*(${D}+),${S}*(${D}+)\\]${S}*[^\\n]*\\}`, 'u');
const NUM = `(${S}*-?${D}*\\.?${D}+${S}*)`;
const BASELINE_BOX = new RegExp(`\\[${NUM},${NUM},${NUM},${NUM}\\]`, 'u');
const LOC_BOX = /<LOC_(\d+)>\s*<LOC_(\d+)>\s*<LOC_(\d+)>\s*<LOC_(\d+)>/;

/** VLM-R1 test_rec_r1.py: integers inside {…} within <answer>…</answer>; null (→ [0,0,0,0]) otherwise. */
export function parseR1Box(response: string): Box | null {
  const ans = /<answer>([\s\S]*?)<\/answer>/.exec(response);
  if (!ans) return null;
  const m = R1_BOX.exec(ans[1]!);
  if (!m) return null;
  return m.slice(1, 5).map((x) => Number(pyInt(x))) as Box;
}

/** VLM-R1 test_rec_baseline.py: the first [a, b, c, d] of (possibly negative, fractional) numbers anywhere. */
export function parseBaselineBox(response: string): Box | null {
  const m = BASELINE_BOX.exec(response);
  if (!m) return null;
  const v = m.slice(1, 5).map((x) => pyFloat(x));
  return v.every((x) => x !== null) ? (v as Box) : null;
}

/** Four consecutive <LOC_n> tokens (our server's grounding output); returns the bin numbers. */
export function parseLocBins(response: string): Box | null {
  const m = LOC_BOX.exec(response);
  return m ? (m.slice(1, 5).map(Number) as Box) : null;
}

export interface LocGrid {
  /** Number of bins (1025: bins 0..1024 span the padded square). */
  bins: number;
  /** Where the image sits in its padded square: centred (LLaVA expand2square) or at the top-left. */
  pad: 'center' | 'topleft';
}

/** Maps LOC bins over the image padded to a square back to original-image pixels. */
export function locToPixels(bins: Box, size: Size, grid: LocGrid): Box {
  const side = Math.max(size.width, size.height);
  const offX = grid.pad === 'center' ? Math.floor((side - size.width) / 2) : 0;
  const offY = grid.pad === 'center' ? Math.floor((side - size.height) / 2) : 0;
  const c = (b: number): number => (b / (grid.bins - 1)) * side;
  return [c(bins[0]) - offX, c(bins[1]) - offY, c(bins[2]) - offX, c(bins[3]) - offY];
}

/** The space a text box's numbers are in: original pixels, [0,1], [0,1000], or pixels of a resized input. */
export type CoordSpace =
  | { kind: 'pixels' }
  | { kind: 'norm'; scale: number }
  | { kind: 'resized'; width: number; height: number };

export function needsSize(space: CoordSpace): boolean {
  return space.kind !== 'pixels';
}

/** Maps a parsed box to original pixels (VLM-R1 rescales resized-input pixels as x * W / input_w). */
export function toPixels(box: Box, space: CoordSpace, size: Size | null): Box {
  if (space.kind === 'pixels') return box;
  if (!size) throw new Error('image size required');
  const sx = space.kind === 'norm' ? size.width / space.scale : size.width / space.width;
  const sy = space.kind === 'norm' ? size.height / space.scale : size.height / space.height;
  return [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy];
}

const area = (b: Box): number => (b[2] - b[0]) * (b[3] - b[1]);

/**
 * VLM-R1's IoU: the intersection uses inclusive pixel ends (x2-1), so overlaps of width or height ≤ 1 count
 * as 0; the union uses continuous areas. Python divides by zero when the union is 0; we return 0 there.
 */
export function vlmR1Iou(a: Box, b: Box): number {
  const ix1 = Math.max(a[0], b[0]);
  const iy1 = Math.max(a[1], b[1]);
  const ix2 = Math.min(a[2] - 1, b[2] - 1);
  const iy2 = Math.min(a[3] - 1, b[3] - 1);
  const inter = ix1 < ix2 && iy1 < iy2 ? (ix2 - ix1 + 1) * (iy2 - iy1 + 1) : 0;
  const union = area(a) + area(b) - inter;
  return union === 0 ? 0 : inter / union;
}

/** Standard continuous IoU; 0 when the union is empty. */
export function continuousIou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = area(a) + area(b) - inter;
  return union <= 0 ? 0 : inter / union;
}
