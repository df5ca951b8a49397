// Offline scoring: benchmark name + data path + predictions file → ScoreReport.
import { UserError } from './errors.js';
import { chatText, openaiClient } from './llm.js';
import { readPredictions, readText } from './predictions.js';
import { loadChartQA } from './benchmarks/chartqa/load.js';
import { scoreChartQA } from './benchmarks/chartqa/score.js';
import { scoreResultFile } from './benchmarks/imgedit/score.js';
import type { CoordSpace } from './benchmarks/lisa/box.js';
import { loadLisa } from './benchmarks/lisa/load.js';
import { DEFAULT_LISA_OPTIONS, scoreLisa } from './benchmarks/lisa/score.js';
import { parseDemoPrompt } from './benchmarks/mathvista/extract.js';
import { loadMathVista } from './benchmarks/mathvista/load.js';
import { scoreMathVista } from './benchmarks/mathvista/score.js';
import { loadMMMUPro, type MMMUProSetting } from './benchmarks/mmmupro/load.js';
import { scoreMMMUPro } from './benchmarks/mmmupro/score.js';
import type { ScoreReport } from './types.js';

export type Flags = Record<string, string | boolean | undefined>;

const EXTRACTOR_TIMEOUT_MS = 60_000;

interface BenchmarkEntry {
  /** Options (without --) this benchmark understands beyond the common ones. */
  options: string[];
  score(data: string, predictions: string, flags: Flags): Promise<ScoreReport>;
}

function choice<T extends string>(flags: Flags, name: string, allowed: readonly T[], dflt: T): T {
  const v = flags[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UserError(`--${name} must be one of ${allowed.join(', ')} (got ${String(v)})`);
  }
  return v as T;
}

function number(flags: Flags, name: string, dflt: number, integer = false): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UserError(`--${name} must be ${integer ? 'an integer' : 'a number'} (got ${String(v)})`);
  return n;
}

function coordSpace(v: string | boolean | undefined): CoordSpace {
  if (v === undefined || v === 'pixels') return { kind: 'pixels' };
  if (v === 'norm1') return { kind: 'norm', scale: 1 };
  if (v === 'norm1000') return { kind: 'norm', scale: 1000 };
  const m = typeof v === 'string' ? /^resized:(\d+)x(\d+)$/.exec(v) : null;
  if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { kind: 'resized', width: Number(m[1]), height: Number(m[2]) };
  throw new UserError(`--coords must be pixels, norm1, norm1000 or resized:WxH (got ${String(v)})`);
}

/**
 * MathVista's answer extractor as a prompt → reply function: the judge model (default gpt-4o-2024-11-20) greedy, up
 * to 256 tokens; the key from --judge-key-env VAR, else OPENAI_API_KEY when set, else none.
 */
function mathVistaExtractor(url: string, flags: Flags): (prompt: string) => Promise<string> {
  const keyEnv = typeof flags['judge-key-env'] === 'string' ? flags['judge-key-env'] : process.env.OPENAI_API_KEY ? 'OPENAI_API_KEY' : undefined;
  const client = openaiClient({ url, apiKeyEnv: keyEnv }, { timeoutMs: EXTRACTOR_TIMEOUT_MS });
  const model = typeof flags['judge-model'] === 'string' ? flags['judge-model'] : 'gpt-4o-2024-11-20';
  return (prompt) => chatText(client, { model, temperature: 0, max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
}

const BENCHMARKS: Record<string, BenchmarkEntry> = {
  mathvista: {
    options: ['mode', 'extractor', 'quick-extract', 'judge-url', 'judge-model', 'judge-key-env', 'demo-prompt', 'split'],
    async score(data, predictions, flags) {
      const split = typeof flags.split === 'string' ? flags.split : 'testmini';
      const mode = choice(flags, 'mode', ['official', 'lmms-eval'] as const, 'official');
      const extractor = choice(flags, 'extractor', ['official', 'rules'] as const, 'official');
      const llm = typeof flags['judge-url'] === 'string' ? mathVistaExtractor(flags['judge-url'], flags) : undefined;
      const demoPrompt = typeof flags['demo-prompt'] === 'string' ? parseDemoPrompt(await readText(flags['demo-prompt'], 'demo prompt file')) : undefined;
      const records = await loadMathVista(data, { split });
      return scoreMathVista(records, await readPredictions(predictions), {
        mode, extractor, quickExtract: flags['quick-extract'] === true, llm, demoPrompt,
      });
    },
  },
  chartqa: {
    options: [],
    async score(data, predictions) {
      return scoreChartQA(await loadChartQA(data), await readPredictions(predictions));
    },
  },
  'mmmu-pro': {
    options: ['mode', 'fallback', 'seed', 'setting'],
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
  },
  lisa: {
    options: ['parser', 'iou', 'compare', 'threshold', 'coords', 'loc-bins', 'loc-pad', 'images'],
    async score(data, predictions, flags) {
      const d = DEFAULT_LISA_OPTIONS;
      const opts = {
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
      const records = await loadLisa(data, { imageRoot: typeof flags.images === 'string' ? flags.images : undefined });
      return scoreLisa(records, await readPredictions(predictions), opts);
    },
  },
  imgedit: {
    options: [],
    score: (data, predictions) => scoreResultFile(data, predictions),
  },
};

const ALIASES: Record<string, string> = { mmmupro: 'mmmu-pro', 'mmmu_pro': 'mmmu-pro', 'lisa-grounding': 'lisa', 'imgedit-bench': 'imgedit' };

export const BENCHMARK_NAMES = Object.keys(BENCHMARKS);

export function benchmarkEntry(name: string): BenchmarkEntry & { name: string } {
  const key = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
  const entry = BENCHMARKS[key];
  if (!entry) throw new UserError(`unknown benchmark "${name}" (known: ${BENCHMARK_NAMES.join(', ')})`);
  return { ...entry, name: key };
}
