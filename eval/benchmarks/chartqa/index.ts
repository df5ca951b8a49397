// ChartQA (test, human and augmented): VQA with the `chart` task family; relaxed accuracy.
import { readPredictions } from '../../predictions.js';
import type { Benchmark } from '../benchmark.js';
import { head, needImage } from '../tasks.js';
import { CHARTQA_DATA } from './layout.js';
import { loadChartQA } from './load.js';
import { chartQAPrompt } from './prompt.js';
import { CHARTQA_REPORT, chartQAVerdict } from './report.js';
import { scoreChartQA } from './score.js';

export const chartqa: Benchmark = {
  name: 'chartqa',
  aliases: [],
  data: CHARTQA_DATA,
  request: { kind: 'vqa', task: 'chart' },
  promptStyles: [],
  direct: false,
  async tasks(data, o) {
    return head(await loadChartQA(data, { images: true }), o.limit).map((r) => ({
      id: String(r.index),
      kind: 'vqa',
      question: chartQAPrompt(r),
      image: needImage(r.image, String(r.index)),
    }));
  },
  scoreOptions: [],
  scoreHelp: [],
  async score(data, predictions) {
    return scoreChartQA(await loadChartQA(data), await readPredictions(predictions));
  },
  report: CHARTQA_REPORT,
  verdict: chartQAVerdict,
};
