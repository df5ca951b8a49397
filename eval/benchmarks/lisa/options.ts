// Lisa's `score` options → LisaScoreOptions.
import { UserError } from '../../errors.js';
import { choice, number, type Flags } from '../../flags.js';
import type { CoordSpace } from './box.js';
import { DEFAULT_LISA_OPTIONS, type LisaScoreOptions } from './score.js';

/** `--coords pixels|norm1|norm1000|resized:WxH`: the space of the predicted boxes. */
function coordSpace(v: string | boolean | undefined): CoordSpace {
  if (v === undefined || v === 'pixels') return { kind: 'pixels' };
  if (v === 'norm1') return { kind: 'norm', scale: 1 };
  if (v === 'norm1000') return { kind: 'norm', scale: 1000 };
  const m = typeof v === 'string' ? /^resized:(\d+)x(\d+)$/.exec(v) : null;
  if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { kind: 'resized', width: Number(m[1]), height: Number(m[2]) };
  throw new UserError(`--coords must be pixels, norm1, norm1000 or resized:WxH (got ${String(v)})`);
}

export function lisaScoreOptions(flags: Flags): LisaScoreOptions {
  const d = DEFAULT_LISA_OPTIONS;
  return {
    parser: choice(flags, 'parser', ['r1', 'baseline'] as const, d.parser),
    iou: choice(flags, 'iou', ['vlm-r1', 'continuous'] as const, d.iou),
    compare: choice(flags, 'compare', ['>', '>='] as const, d.compare),
    threshold: number(flags, 'threshold', d.threshold),
    coords: coordSpace(flags.coords),
    loc: {
      bins: number(flags, 'loc-bins', d.loc.bins, true),
      pad: choice(flags, 'loc-pad', ['center', 'topleft'] as const, d.loc.pad),
    },
  };
}
