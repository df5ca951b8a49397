// lavida-eval command line: `run` (server → predictions → scores), `score` (offline), `judge` (ImgEdit edits → a
// vision-LLM judge), `report` (runs → tables, charts).
import { parseArgs } from 'node:util';
import { dataLayoutHelp } from './data-layouts.js';
import { UserError } from './errors.js';
import { judgeCommand } from './judge/command.js';
import { writeScoreReport } from './output.js';
import { reportCommand } from './report/command.js';
import { runCommand } from './run/command.js';
import { benchmarkEntry, BENCHMARK_NAMES, type Flags } from './score.js';
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
  mathvista  --mode official|lmms-eval  --extractor official|rules  --quick-extract  --split testmini
             --judge-url URL --judge-model NAME --judge-key-env VAR  --demo-prompt ext_ans.py
  mmmu-pro   --mode official|lmms-eval  --fallback random|wrong  --seed N  --setting standard|vision|both
  lisa       --parser r1|baseline  --iou vlm-r1|continuous  --compare '>'|'>='  --threshold 0.5
             --coords pixels|norm1|norm1000|resized:WxH  --loc-bins 1025  --loc-pad center|topleft  --images DIR
${dataLayoutHelp()}`;

const USAGE = `usage: lavida-eval run|score|judge|report [options]   (lavida-eval COMMAND --help: its options)
  run     runs a benchmark through the LaViDa-R1 server (or an embedded one, or an OpenAI-compatible endpoint), then scores it
  score   scores a predictions file offline by the benchmark's official rules
  judge   judges ImgEdit edits with a vision LLM (any OpenAI-compatible endpoint) by the official protocol, then scores them
  report  compares run folders: tables with confidence intervals, charts, a sample viewer`;

const STRING_OPTIONS = [
  'benchmark', 'data', 'predictions', 'out', 'mode', 'extractor', 'judge-url', 'judge-model', 'judge-key-env',
  'demo-prompt', 'split', 'fallback', 'seed', 'setting', 'parser', 'iou', 'compare', 'threshold', 'coords',
  'loc-bins', 'loc-pad', 'images',
];
const COMMON = ['benchmark', 'data', 'predictions', 'out', 'help'];

async function score(args: string[]): Promise<number> {
  let values: Flags;
  try {
    const options = Object.fromEntries([
      ...STRING_OPTIONS.map((o) => [o, { type: 'string' as const }]),
      ['quick-extract', { type: 'boolean' as const }],
      ['help', { type: 'boolean' as const, short: 'h' }],
    ]);
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as Flags;
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
  const entry = benchmarkEntry(values.benchmark as string);
  for (const k of Object.keys(values)) {
    if (!COMMON.includes(k) && !entry.options.includes(k)) throw new UserError(`--${k} does not apply to ${entry.name}`);
  }
  const report = await entry.score(values.data as string, values.predictions as string, values);
  const summary = typeof values.out === 'string' ? await writeScoreReport(values.out, report) : summaryOf(report);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    const commands: Record<string, (args: string[]) => Promise<number>> = { run: runCommand, score, judge: judgeCommand, report: reportCommand };
    const command = cmd !== undefined && Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
    if (command) return await command(rest);
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return cmd === undefined ? 2 : 0;
    }
    throw new UserError(`unknown command "${cmd}"\n${USAGE}`);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`lavida-eval: error: ${e.message}\n`);
      return 1;
    }
    // a bug rather than bad input: still no stack trace unless asked for
    process.stderr.write(`lavida-eval: internal error: ${(e as Error).message}\n`);
    if (process.env.LAVIDA_EVAL_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
