// `lavida-eval run` arguments → RunOptions; prints the run record and the summary as JSON on stdout.
import { parseArgs } from 'node:util';
import { dataLayoutHelp, directHelp, promptStylesHelp, vqaTasksHelp } from '../benchmarks/help.js';
import { BENCHMARK_NAMES, findBenchmark } from '../benchmarks/registry.js';
import { UserError } from '../errors.js';
import { backendChoice } from './backend-args.js';
import type { TextKnobs } from './call.js';
import { run, type RunOptions } from './runner.js';

/** TextKnobs of openapi.yaml and the JSON type of each; the server checks their ranges. */
const KNOB_TYPES: Record<keyof TextKnobs, 'number' | 'boolean' | 'string'> = {
  max_tokens: 'number',
  block_length: 'number',
  steps: 'number',
  threshold: 'number',
  dual_cache: 'boolean',
  schedule: 'string',
  shift: 'number',
  temperature: 'number',
  seed: 'number',
};
const TEXT_KNOBS = Object.keys(KNOB_TYPES);
const DEFAULT_PROGRESS_EVERY_S = 10;

export const RUN_USAGE = `usage: lavida-eval run --benchmark NAME --data DIR --out DIR [options]
                       (--server URL | --embedded [--model ID] [--models-dir DIR] | --openai URL --model NAME [--api-key-env VAR])
  Sends each sample to the backend, journals the answers in DIR/predictions.jsonl, then scores them.
  --benchmark NAME     ${BENCHMARK_NAMES.join(', ')}
  --data DIR           the benchmark's data as released (below)
  --server URL         a running LaViDa-R1 server (LAVIDA_API_KEY is sent as the bearer token)
  --embedded           load the model package in this process and serve it on 127.0.0.1 for the run
  --model ID           with --embedded: the package under the models folder (default lavida-r1-tiny)
  --models-dir DIR     with --embedded: the models folder (default LAVIDA_MODELS_DIR, else models/)
  --openai URL         an OpenAI-compatible endpoint (URL up to /v1): each sample's image (data: URL) and prompt go
                       to URL/chat/completions, greedy, at the endpoint's default length; not for imgedit
  --model NAME         with --openai: the model name to request
  --api-key-env VAR    with --openai: the environment variable holding the API key (default: no key)
  --out DIR            run folder: predictions.jsonl, run.json, summary.json, scores.jsonl (ImgEdit: images/)
  --limit N            the first N samples (MMMU-Pro: of each setting)
  --concurrency K      requests in flight (default 1)
  --resume             continue an unfinished run in DIR (--retry-errors: run its failed samples again)
  --timeout-ms MS      per-request timeout (default 300000; --openai: per attempt, 5 retries on 429/5xx)
  --prompt STYLE       ${promptStylesHelp()}
  --direct             ${directHelp()}: direct-answer prompts instead of chain of thought
  --knobs JSON         VQA benchmarks, not with --openai: text decoding knobs sent with every request, e.g. '{"threshold": 0.9}'
                       (${TEXT_KNOBS.join(', ')}: openapi.yaml TextKnobs);
                       each request also carries the benchmark's task (${vqaTasksHelp()}), whose canvas is the
                       default max_tokens
  --progress-every S   when stderr is not a terminal (a log, CI), a progress line every S seconds (default ${DEFAULT_PROGRESS_EVERY_S})
  -h, --help           this help
  ImgEdit on world data is judged by the world oracle judge (train/.venv Python, or LAVIDA_PYTHON); other ImgEdit
  data by a vision LLM through lavida-eval judge --run DIR, which writes the run's scores.
  Exit status 3: the run finished but some samples failed.
${dataLayoutHelp()}`;

export function parseKnobs(text: string): TextKnobs {
  let knobs: unknown;
  try {
    knobs = JSON.parse(text);
  } catch {
    throw new UserError(`--knobs must be a JSON object (got ${text})`);
  }
  if (typeof knobs !== 'object' || knobs === null || Array.isArray(knobs))
    throw new UserError(`--knobs must be a JSON object (got ${text})`);
  for (const [k, value] of Object.entries(knobs)) {
    const type = KNOB_TYPES[k as keyof TextKnobs];
    if (!type) throw new UserError(`--knobs: unknown knob "${k}" (known: ${TEXT_KNOBS.join(', ')})`);
    if (typeof value !== type) throw new UserError(`--knobs: ${k} must be a ${type} (got ${JSON.stringify(value)})`);
  }
  return knobs as TextKnobs;
}

function positiveInt(v: string | undefined, name: string, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} must be a positive integer (got ${v})`);
  return n;
}

/** The run's options, or null when `--help` asks for the usage instead. */
export function parseRunArgs(args: string[]): RunOptions | null {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        benchmark: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        server: { type: 'string' },
        embedded: { type: 'boolean' },
        model: { type: 'string' },
        'models-dir': { type: 'string' },
        openai: { type: 'string' },
        'api-key-env': { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        resume: { type: 'boolean' },
        'retry-errors': { type: 'boolean' },
        'timeout-ms': { type: 'string' },
        prompt: { type: 'string' },
        direct: { type: 'boolean' },
        knobs: { type: 'string' },
        'progress-every': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${RUN_USAGE}`);
  }
  if (v.help === true) return null;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  for (const req of ['benchmark', 'data', 'out']) if (!str(req)) throw new UserError(`missing --${req}\n${RUN_USAGE}`);
  if (v['retry-errors'] && !v.resume) throw new UserError('--retry-errors goes with --resume');
  const bench = findBenchmark(str('benchmark')!);
  const benchmark = bench.name;
  const backend = backendChoice(
    {
      server: str('server'),
      embedded: v.embedded === true,
      openai: str('openai'),
      model: str('model'),
      modelsDir: str('models-dir'),
      apiKeyEnv: str('api-key-env'),
    },
    bench,
  );
  if (str('prompt') !== undefined && bench.promptStyles.length === 0)
    throw new UserError(`--prompt does not apply to ${benchmark}`);
  if (v.direct && !bench.direct) throw new UserError(`--direct does not apply to ${benchmark}`);
  const knobs = str('knobs') === undefined ? undefined : parseKnobs(str('knobs')!);
  if (knobs && bench.request.kind !== 'vqa')
    throw new UserError(`--knobs (text decoding) does not apply to ${benchmark}`);
  if (knobs && backend.openai) throw new UserError('--knobs are LaViDa-R1 server knobs: they do not apply to --openai');
  return {
    benchmark,
    data: str('data')!,
    out: str('out')!,
    ...backend,
    limit: positiveInt(str('limit'), 'limit', undefined),
    concurrency: positiveInt(str('concurrency'), 'concurrency', 1)!,
    resume: v.resume === true,
    retryErrors: v['retry-errors'] === true,
    timeoutMs: positiveInt(str('timeout-ms'), 'timeout-ms', 300_000)!,
    prompt: str('prompt'),
    direct: v.direct === true,
    knobs,
    progressEverySeconds: positiveInt(str('progress-every'), 'progress-every', DEFAULT_PROGRESS_EVERY_S)!,
  };
}

/** Exit status of a run whose failed samples are recorded (and scored as wrong): it is incomplete. */
export const EXIT_SAMPLES_FAILED = 3;

export async function runCommand(args: string[]): Promise<number> {
  const options = parseRunArgs(args);
  if (options === null) {
    process.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const { record, summary } = await run(options);
  process.stdout.write(`${JSON.stringify({ run: record, summary }, null, 2)}\n`);
  if (record.errors === 0) return 0;
  process.stderr.write(
    `lavida-eval: ${record.errors} of ${record.completed} samples failed (their "error" is in predictions.jsonl, ` +
      'and they score as wrong); rerun with --resume --retry-errors to retry them\n',
  );
  return EXIT_SAMPLES_FAILED;
}
