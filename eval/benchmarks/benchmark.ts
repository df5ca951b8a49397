// One benchmark as `score`, `run`, `report` and the CLI see it. Each folder's index.ts exports one; registry.ts
// lists them.
import type { Schemas } from '../../sdk/client.js';
import type { DataLayout } from '../data-layouts.js';
import type { Flags } from '../flags.js';
import type { ReportSpec, Verdict } from '../report/spec.js';
import type { ImageSource, SampleScore, ScoreReport } from '../types.js';

/** The task family a VQA request carries (VqaRequest.task): the server decodes over the model's canvas for it. */
export type VqaTask = Schemas['VqaTask'];

/** What a request carries: one released image, or several composed into one at call time (eval/compose.ts). */
export type TaskImage = ImageSource | { kind: 'composed'; parts: ImageSource[] };

/** One request; `id` is the prediction id `lavida-eval score` expects for the benchmark. */
export type Task = { id: string; image: TaskImage } & (
  | { kind: 'vqa'; question: string }
  | { kind: 'ground'; description: string }
  | { kind: 'edit'; instruction: string }
);

/** The `run` options that shape the requests (run.json records them, and the report rebuilds the prompts from them). */
export interface TaskOptions {
  /** First N samples (MMMU-Pro: of each setting). */
  limit?: number;
  /** One of the benchmark's prompt styles. */
  prompt?: string;
  /** Direct-answer prompts instead of chain of thought (benchmarks with `direct`). */
  direct?: boolean;
}

/** A command-line option a benchmark adds to `score`: its name without `--` and its parseArgs type. */
export interface ScoreOption {
  name: string;
  type: 'string' | 'boolean';
}

export interface Benchmark {
  /** Canonical name (`--benchmark`, run.json `benchmark`). */
  name: string;
  /** Other spellings `--benchmark` takes. */
  aliases: readonly string[];
  /** What `--data` takes: the help lines and the file whose absence makes a folder the wrong one. */
  data: DataLayout;
  /** The request kind of its samples; VQA requests carry the task family. */
  request: { kind: 'vqa'; task: VqaTask } | { kind: 'ground' } | { kind: 'edit' };
  /** `run --prompt` styles, the default first (none: `--prompt` does not apply). */
  promptStyles: readonly string[];
  /** Whether `run --direct` applies. */
  direct: boolean;
  /** The loader and the prompt builder: one request per prediction id. */
  tasks(data: string, o: TaskOptions): Promise<Task[]>;
  /** `score`'s options for this benchmark, and their help lines. */
  scoreOptions: readonly ScoreOption[];
  scoreHelp: readonly string[];
  /** The official-rule scorer: the data as released and a predictions file. */
  score(data: string, predictions: string, flags: Flags): Promise<ScoreReport>;
  /** The report's headline columns, failure rates, breakdowns and bootstraps. */
  report: ReportSpec;
  /** How a scores.jsonl row reads in the sample viewer. */
  verdict(row: SampleScore): Verdict;
}
