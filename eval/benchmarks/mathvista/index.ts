// MathVista (testmini): VQA with the `math` task family; the official or lmms-eval scoring.
import { choice, stringFlag } from '../../flags.js';
import { readPredictions, readText } from '../../predictions.js';
import type { Benchmark } from '../benchmark.js';
import { head, needImage, promptStyle } from '../tasks.js';
import { parseDemoPrompt } from './extract.js';
import { mathVistaExtractor } from './judge-llm.js';
import { MATHVISTA_DATA } from './layout.js';
import { loadMathVista } from './load.js';
import { mathVistaPrompt, type MathVistaPromptStyle } from './prompt.js';
import { MATHVISTA_REPORT, mathVistaVerdict } from './report.js';
import { scoreMathVista } from './score.js';

const PROMPT_STYLES: readonly MathVistaPromptStyle[] = ['query', 'format-prompt'];

export const mathvista: Benchmark = {
  name: 'mathvista',
  aliases: [],
  data: MATHVISTA_DATA,
  request: { kind: 'vqa', task: 'math' },
  promptStyles: PROMPT_STYLES,
  direct: false,
  async tasks(data, o) {
    const style = promptStyle(o.prompt, PROMPT_STYLES);
    return head(await loadMathVista(data, { images: true }), o.limit).map((r) => ({
      id: r.pid,
      kind: 'vqa',
      question: mathVistaPrompt(r, style),
      image: needImage(r.image, r.pid),
    }));
  },
  scoreOptions: [
    ...['mode', 'extractor', 'judge-url', 'judge-model', 'judge-key-env', 'demo-prompt', 'split'].map((name) => ({
      name,
      type: 'string' as const,
    })),
    { name: 'quick-extract', type: 'boolean' },
  ],
  scoreHelp: [
    '--mode official|lmms-eval  --extractor official|rules  --quick-extract  --split testmini',
    '--judge-url URL --judge-model NAME --judge-key-env VAR  --demo-prompt ext_ans.py',
  ],
  async score(data, predictions, flags) {
    const split = stringFlag(flags, 'split') ?? 'testmini';
    const mode = choice(flags, 'mode', ['official', 'lmms-eval'] as const, 'official');
    const extractor = choice(flags, 'extractor', ['official', 'rules'] as const, 'official');
    const judgeUrl = stringFlag(flags, 'judge-url');
    const llm = judgeUrl === undefined ? undefined : mathVistaExtractor(judgeUrl, flags);
    const demoFile = stringFlag(flags, 'demo-prompt');
    const demoPrompt =
      demoFile === undefined ? undefined : parseDemoPrompt(await readText(demoFile, 'demo prompt file'));
    const records = await loadMathVista(data, { split });
    return scoreMathVista(records, await readPredictions(predictions), {
      mode,
      extractor,
      quickExtract: flags['quick-extract'] === true,
      llm,
      demoPrompt,
    });
  },
  report: MATHVISTA_REPORT,
  verdict: mathVistaVerdict,
};
