// The per-benchmark parts of `run --help` and `score --help`, from the registry.
import { BENCHMARKS } from './registry.js';

/** `  name       first line` then the rest indented under it. */
const byBenchmark = (name: string, lines: readonly string[]): string[] =>
  lines.map((l, i) => `  ${(i === 0 ? name : '').padEnd(10)} ${l}`);

/** The `--data` section of `run --help` and `score --help`. */
export function dataLayoutHelp(): string {
  return `--data for each benchmark:\n${BENCHMARKS.flatMap((b) => byBenchmark(b.name, b.data.help)).join('\n')}`;
}

/** The "options by benchmark" lines of `score --help`. */
export const scoreOptionsHelp = (): string => BENCHMARKS.flatMap((b) => byBenchmark(b.name, b.scoreHelp)).join('\n');

/** `run --prompt`'s styles: `mathvista: query (default) | format-prompt;  mmmu-pro: …`. */
export const promptStylesHelp = (): string =>
  BENCHMARKS.filter((b) => b.promptStyles.length > 0)
    .map((b) => `${b.name}: ${b.promptStyles.map((s, i) => (i === 0 ? `${s} (default)` : s)).join(' | ')}`)
    .join(';  ');

/** The task families VQA requests carry: `math, chart, mcq`. */
export const vqaTasksHelp = (): string =>
  BENCHMARKS.flatMap((b) => (b.request.kind === 'vqa' ? [b.request.task] : [])).join(', ');

/** The benchmarks `run --direct` applies to. */
export const directHelp = (): string =>
  BENCHMARKS.filter((b) => b.direct)
    .map((b) => b.name)
    .join(', ');
