// MMMU-Pro (standard with 10 options, and vision): VQA with the `mcq` task family; the official or lmms-eval scoring.
import { choice, number } from '../../flags.js';
import { readPredictions } from '../../predictions.js';
import type { Benchmark } from '../benchmark.js';
import { head, promptStyle } from '../tasks.js';
import { MMMU_PRO_DATA } from './layout.js';
import { loadMMMUPro, type MMMUProSetting } from './load.js';
import type { MMMUProPromptStyle } from './prompt.js';
import { MMMU_PRO_REPORT, mmmuProVerdict } from './report.js';
import { mmmuProTask } from './request.js';
import { scoreMMMUPro } from './score.js';

const PROMPT_STYLES: readonly MMMUProPromptStyle[] = ['official', 'lmms-eval'];

export const mmmuPro: Benchmark = {
  name: 'mmmu-pro',
  aliases: ['mmmupro', 'mmmu_pro'],
  data: MMMU_PRO_DATA,
  request: { kind: 'vqa', task: 'mcq' },
  promptStyles: PROMPT_STYLES,
  direct: true,
  async tasks(data, o) {
    const style = promptStyle(o.prompt, PROMPT_STYLES);
    const records = await loadMMMUPro(data, { images: true });
    const bySetting = ['standard', 'vision'].map((k) =>
      head(
        records.filter((r) => r.setting === k),
        o.limit,
      ),
    );
    return bySetting.flat().map((r) => mmmuProTask(r, style, !o.direct));
  },
  scoreOptions: ['mode', 'fallback', 'seed', 'setting'].map((name) => ({ name, type: 'string' })),
  scoreHelp: ['--mode official|lmms-eval  --fallback random|wrong  --seed N  --setting standard|vision|both'],
  async score(data, predictions, flags) {
    const setting = choice(flags, 'setting', ['standard', 'vision', 'both'] as const, 'both');
    const settings: MMMUProSetting[] = setting === 'both' ? ['standard', 'vision'] : [setting];
    const opts = {
      mode: choice(flags, 'mode', ['official', 'lmms-eval'] as const, 'official'),
      fallback: choice(flags, 'fallback', ['random', 'wrong'] as const, 'random'),
      seed: number(flags, 'seed', 0, true),
    };
    return scoreMMMUPro(await loadMMMUPro(data, { settings }), await readPredictions(predictions), opts);
  },
  report: MMMU_PRO_REPORT,
  verdict: mmmuProVerdict,
};
