// Lisa-Grounding scoring: per-sample box IoU, mIoU and precision at a threshold (VLM-R1 conventions by default).
import { imageSize, type Size } from '../../imagesize.js';
import { matchPredictions } from '../../match.js';
import { percent, type Prediction, type SampleScore, type ScoreReport } from '../../types.js';
import {
  continuousIou,
  locToPixels,
  needsSize,
  parseBaselineBox,
  parseLocBins,
  parseR1Box,
  toPixels,
  vlmR1Iou,
  type Box,
  type CoordSpace,
  type LocGrid,
} from './box.js';
import type { LisaRecord } from './load.js';

export interface LisaScoreOptions {
  /** Text parser for non-LOC answers: VLM-R1's R1 parser (JSON in <answer>) or its baseline parser. */
  parser: 'r1' | 'baseline';
  iou: 'vlm-r1' | 'continuous';
  /** `>` as VLM-R1, `>=` as LaViDa-O. */
  compare: '>' | '>=';
  threshold: number;
  /** Space of boxes parsed from text. */
  coords: CoordSpace;
  loc: LocGrid;
  /** Image sizes, for tests or callers that already know them; otherwise read from the image headers. */
  sizeOf?: (r: LisaRecord) => Promise<Size>;
}

export const DEFAULT_LISA_OPTIONS: LisaScoreOptions = {
  parser: 'r1',
  iou: 'vlm-r1',
  compare: '>',
  threshold: 0.5,
  coords: { kind: 'pixels' },
  loc: { bins: 1025, pad: 'center' },
};

/** VLM-R1's R1 prompt. */
export function lisaPrompt(r: Pick<LisaRecord, 'problem'>, style: 'r1' | 'baseline' = 'r1'): string {
  return style === 'r1'
    ? `${r.problem} First output the thinking process in <think> </think> tags and then output the final answer in <answer> </answer> tags. Output the final answer in JSON format.`
    : `${r.problem} Please provide the bounding box coordinate in JSON format.`;
}

type Source = 'box' | 'loc' | 'text' | 'none';

/** The predicted box in original pixels; a parse failure is [0,0,0,0] as in VLM-R1. */
async function predictedBox(
  r: LisaRecord,
  p: Prediction,
  opts: LisaScoreOptions,
): Promise<{ box: Box; source: Source }> {
  const size = (): Promise<Size> => (opts.sizeOf ?? ((x: LisaRecord) => imageSize(x.imagePath)))(r);
  if (p.box) return { box: p.box, source: 'box' };
  const bins = parseLocBins(p.response);
  if (bins) return { box: locToPixels(bins, await size(), opts.loc), source: 'loc' };
  const parsed = opts.parser === 'r1' ? parseR1Box(p.response) : parseBaselineBox(p.response);
  if (!parsed) return { box: [0, 0, 0, 0], source: 'none' };
  return { box: toPixels(parsed, opts.coords, needsSize(opts.coords) ? await size() : null), source: 'text' };
}

export async function scoreLisa(
  records: LisaRecord[],
  preds: Prediction[],
  opts: LisaScoreOptions = DEFAULT_LISA_OPTIONS,
): Promise<ScoreReport> {
  const { pairs, missing } = matchPredictions(records, (r) => String(r.index), preds);
  const iouFn = opts.iou === 'vlm-r1' ? vlmR1Iou : continuousIou;
  const samples: SampleScore[] = [];
  let sum = 0;
  let hits = 0;
  let failures = 0;
  for (const { record, prediction } of pairs) {
    const { box, source } = await predictedBox(record, prediction, opts);
    const iou = iouFn(box, record.solution);
    const hit = opts.compare === '>' ? iou > opts.threshold : iou >= opts.threshold;
    sum += iou;
    if (hit) hits++;
    if (source === 'none') failures++;
    samples.push({ id: String(record.index), box, source, iou, hit, answer: record.solution });
  }
  return {
    benchmark: 'lisa',
    n: pairs.length,
    metrics: {
      miou: pairs.length === 0 ? null : (sum / pairs.length) * 100,
      [`P@${opts.threshold}`]: percent(hits, pairs.length),
      parse_failures: failures,
    },
    sample_counts: { [`P@${opts.threshold}`]: pairs.length },
    missing,
    settings: {
      parser: opts.parser,
      iou: opts.iou,
      compare: opts.compare,
      threshold: opts.threshold,
      coords:
        opts.coords.kind === 'resized'
          ? `resized:${opts.coords.width}x${opts.coords.height}`
          : opts.coords.kind === 'norm'
            ? `norm${opts.coords.scale}`
            : 'pixels',
      loc: `${opts.loc.bins} bins, ${opts.loc.pad} padding`,
    },
    samples,
  };
}
