// Lisa-Grounding: a grounding request per referring expression; P@0.5 and mIoU by VLM-R1's rules.
import { stringFlag } from '../../flags.js';
import { readPredictions } from '../../predictions.js';
import type { Benchmark } from '../benchmark.js';
import { head } from '../tasks.js';
import { LISA_DATA } from './layout.js';
import { loadLisa } from './load.js';
import { lisaScoreOptions } from './options.js';
import { LISA_REPORT, lisaVerdict } from './report.js';
import { scoreLisa } from './score.js';

export const lisa: Benchmark = {
  name: 'lisa',
  aliases: ['lisa-grounding'],
  data: LISA_DATA,
  request: { kind: 'ground' },
  promptStyles: [],
  direct: false,
  async tasks(data, o) {
    // the ground endpoint wraps the referring expression in the model's own LOC prompt
    return head(await loadLisa(data), o.limit).map((r) => ({
      id: String(r.index),
      kind: 'ground',
      description: r.problem,
      image: { kind: 'file', path: r.imagePath },
    }));
  },
  scoreOptions: ['parser', 'iou', 'compare', 'threshold', 'coords', 'loc-bins', 'loc-pad', 'images'].map((name) => ({
    name,
    type: 'string',
  })),
  scoreHelp: [
    "--parser r1|baseline  --iou vlm-r1|continuous  --compare '>'|'>='  --threshold 0.5",
    '--coords pixels|norm1|norm1000|resized:WxH  --loc-bins 1025  --loc-pad center|topleft  --images DIR',
  ],
  async score(data, predictions, flags) {
    const opts = lisaScoreOptions(flags);
    const records = await loadLisa(data, { imageRoot: stringFlag(flags, 'images') });
    return scoreLisa(records, await readPredictions(predictions), opts);
  },
  report: LISA_REPORT,
  verdict: lisaVerdict,
};
