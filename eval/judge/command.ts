// `lavida-eval judge` arguments → JudgeOptions; prints the counts and the scores as JSON on stdout.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { MAX_RETRIES } from '../llm.js';
import { openaiUrl } from '../run/backend-args.js';
import { EXIT_SAMPLES_FAILED } from '../run/command.js';
import { readRunRecord } from '../run/run-json.js';
import { judgeImgEdit, type JudgeOptions } from './judge.js';

const DEFAULTS = { concurrency: 4, timeoutMs: 120_000, progressEverySeconds: 10 };

export const JUDGE_USAGE = `usage: lavida-eval judge (--run DIR | --data DIR --images DIR) --openai URL --model NAME [options]
  Judges ImgEdit edits with a vision LLM as the official Benchmark/Basic/basic_bench.py does: per edited image
  IMAGES/<key>.png, one user message to URL/chat/completions holding the edit type's judge prompt (<edit_prompt>
  replaced by the instruction; an unknown type gets adjust's), the original and the edited image (data:image/png
  URLs); no temperature, no length limit. Writes the result file {key: reply}, a failed call as {key: {"error": …}},
  then prints the counts and the official step 1 / step 2 scores (\`lavida-eval score\` reads the same file).
  --run DIR            a \`lavida-eval run --benchmark imgedit\` folder: judges DIR/images against the run's data
                       (run.json) and writes the scores, with the judge, as the run's summary.json and scores.jsonl,
                       which \`lavida-eval report\` reads
  --data DIR           without --run: ImgEdit data (singleturn.json or basic_edit.json, the source images, the judge prompts)
  --images DIR         without --run: the edited images, <key>.png; keys without one are not judged
  --openai URL         the judge's OpenAI-compatible endpoint, up to /v1 (https://api.openai.com/v1, a vLLM server, …)
  --model NAME         the judge model (the official judge is gpt-4o)
  --api-key-env VAR    the environment variable holding the API key, sent as the bearer token (default: no key)
  --out FILE           the result file (default IMAGES/result.json, where the official script writes it; with --run,
                       DIR/images/result.json); rewritten atomically after every reply
  --resume             continue an existing result file: keeps its replies, judges again its failed calls and
                       the keys it lacks (without --resume an existing result file is refused)
  --concurrency K      requests in flight (default ${DEFAULTS.concurrency})
  --timeout-ms MS      per attempt (default ${DEFAULTS.timeoutMs}); each request is retried ${MAX_RETRIES} times with backoff on
                       connection errors, 408, 409, 429 (after Retry-After) and 5xx, then recorded as failed
  --prompts FILE       the judge prompts by edit type (default judge_prompt.json or prompts.json beside the data's json)
  --progress-every S   when stderr is not a terminal (a log, CI), a progress line every S seconds (default ${DEFAULTS.progressEverySeconds})
  -h, --help           this help
  A 401, 403 or 404 (key, permission, model or URL wrong) stops the run; the replies so far stay in the file.
  Replies without a "Label: N" line are dropped from the scores as the official step 1 drops them; they are
  counted (unparseable) and listed on stderr. Exit status 3: some calls failed (rerun with --resume).`;

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} must be a positive integer (got ${v})`);
  return n;
}

/** `--run DIR`: an ImgEdit run's data (its run.json's) and edited images. */
async function runInputs(dir: string): Promise<Pick<JudgeOptions, 'data' | 'images'>> {
  const record = await readRunRecord(dir);
  if (record.benchmark !== 'imgedit')
    throw new UserError(`--run ${dir}: a ${record.benchmark} run; the judge takes ImgEdit runs`);
  return { data: record.data, images: join(dir, 'images') };
}

/** The judge's options, or null when `--help` asks for the usage instead. */
export async function parseJudgeArgs(args: string[]): Promise<JudgeOptions | null> {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        run: { type: 'string' },
        data: { type: 'string' },
        images: { type: 'string' },
        openai: { type: 'string' },
        model: { type: 'string' },
        'api-key-env': { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean' },
        concurrency: { type: 'string' },
        'timeout-ms': { type: 'string' },
        prompts: { type: 'string' },
        'progress-every': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${JUDGE_USAGE}`);
  }
  if (v.help === true) return null;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const run = str('run') === undefined ? undefined : resolve(str('run')!);
  if (run !== undefined && (str('data') !== undefined || str('images') !== undefined)) {
    throw new UserError('--run takes the data and the images from the run folder: leave out --data and --images');
  }
  for (const req of [...(run === undefined ? ['data', 'images'] : []), 'openai', 'model'])
    if (!str(req)) throw new UserError(`missing --${req}\n${JUDGE_USAGE}`);
  const { data, images } = run === undefined ? { data: str('data')!, images: str('images')! } : await runInputs(run);
  return {
    data,
    images,
    out: str('out') ?? join(images, 'result.json'),
    run,
    prompts: str('prompts'),
    endpoint: { url: openaiUrl(str('openai')!), model: str('model')!, apiKeyEnv: str('api-key-env') },
    concurrency: positiveInt(str('concurrency'), 'concurrency', DEFAULTS.concurrency),
    timeoutMs: positiveInt(str('timeout-ms'), 'timeout-ms', DEFAULTS.timeoutMs),
    resume: v.resume === true,
    progressEverySeconds: positiveInt(str('progress-every'), 'progress-every', DEFAULTS.progressEverySeconds),
  };
}

/** Up to ten keys, then how many more. */
const some = (keys: string[]): string =>
  `${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ` and ${keys.length - 10} more` : ''}`;

export async function judgeCommand(args: string[]): Promise<number> {
  const o = await parseJudgeArgs(args);
  if (o === null) {
    process.stdout.write(`${JUDGE_USAGE}\n`);
    return 0;
  }
  const r = await judgeImgEdit(o);
  const judge = {
    result: o.out,
    run: o.run ?? null,
    url: o.endpoint.url,
    model: o.endpoint.model,
    total: r.total,
    judged: r.judged,
    kept: r.kept,
    errors: r.errors.length,
    unparseable: r.unparseable.length,
    without_image: r.withoutImage,
  };
  process.stdout.write(`${JSON.stringify({ judge, summary: r.summary }, null, 2)}\n`);
  if (r.unparseable.length > 0) {
    process.stderr.write(
      `lavida-eval: ${r.unparseable.length} judge replies have no "Label: N" score line and are dropped from the scores: ${some(r.unparseable)}\n`,
    );
  }
  if (r.errors.length === 0) return 0;
  process.stderr.write(
    `lavida-eval: ${r.errors.length} judge calls failed (their "error" is in ${o.out}): ${some(r.errors)}; ` +
      'rerun with --resume to judge them again\n',
  );
  return EXIT_SAMPLES_FAILED;
}
