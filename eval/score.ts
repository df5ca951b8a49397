// `lavida-eval score`: benchmark name + data path + predictions file → the summary (and with --out, the files
// `run` writes).
import { parseArgs } from 'node:util';
import { dataLayoutHelp, scoreOptionsHelp } from './benchmarks/help.js';
import { BENCHMARK_NAMES, BENCHMARKS, findBenchmark } from './benchmarks/registry.js';
import { UserError } from './errors.js';
import type { Flags } from './flags.js';
import { writeScoreReport } from './output.js';
import { summaryOf } from './types.js';

const SCORE_USAGE = `usage: lavida-eval score --benchmark NAME --data PATH --predictions FILE [--out DIR] [options]
  Scores a predictions file offline; prints the summary as JSON, and with --out writes DIR/summary.json and
  DIR/scores.jsonl (as \`run\` writes them in its folder, which \`lavida-eval report\` reads).
  --benchmark    ${BENCHMARK_NAMES.join(', ')}
  --data         the benchmark's data as released (below)
  --predictions  JSONL with "id" and "response" per line (ImgEdit: the judge result JSON {key: reply})
  --out DIR      also write the summary and the per-sample scores there
  -h, --help     this help
options by benchmark:
${scoreOptionsHelp()}
${dataLayoutHelp()}`;

const COMMON = ['benchmark', 'data', 'predictions', 'out', 'help'];

/** parseArgs options: the common ones and every benchmark's. */
const OPTIONS = Object.fromEntries([
  ...COMMON.filter((o) => o !== 'help').map((o) => [o, { type: 'string' as const }]),
  ...BENCHMARKS.flatMap((b) => b.scoreOptions).map((o) => [o.name, { type: o.type }]),
  ['help', { type: 'boolean' as const, short: 'h' }],
]);

export async function scoreCommand(args: string[]): Promise<number> {
  let values: Flags;
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values as Flags;
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${SCORE_USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(`${SCORE_USAGE}\n`);
    return 0;
  }
  for (const req of ['benchmark', 'data', 'predictions']) {
    if (typeof values[req] !== 'string') throw new UserError(`missing --${req}\n${SCORE_USAGE}`);
  }
  const benchmark = findBenchmark(values.benchmark as string);
  for (const k of Object.keys(values)) {
    if (!COMMON.includes(k) && !benchmark.scoreOptions.some((o) => o.name === k))
      throw new UserError(`--${k} does not apply to ${benchmark.name}`);
  }
  const report = await benchmark.score(values.data as string, values.predictions as string, values);
  const summary = typeof values.out === 'string' ? await writeScoreReport(values.out, report) : summaryOf(report);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
