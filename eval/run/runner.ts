// `lavida-eval run`: tasks → backend (our server through the SDK, or an OpenAI-compatible endpoint) → durable
// journal → scores.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createLavidaClient, type Schemas } from '../../sdk/client.js';
import type { Task, TaskOptions, VqaTask } from '../benchmarks/benchmark.js';
import { findBenchmark } from '../benchmarks/registry.js';
import { UserError } from '../errors.js';
import { checkReachable, openaiClient, type OpenAIEndpoint } from '../llm.js';
import { writeAtomic } from '../output.js';
import { forEachConcurrent } from '../pool.js';
import type { ScoreSummary } from '../types.js';
import { runTask, serverBackend, type Perform, type TextKnobs } from './call.js';
import { benchmarkTask, runCanvas } from './canvas.js';
import { startEmbedded, type EmbeddedOptions } from './embedded.js';
import { Journal, recoverJournal } from './journal.js';
import { openaiBackend } from './openai-backend.js';
import { progressBar } from './progress.js';
import { gitState, packageSha256, type GitState } from './provenance.js';
import { scoreRun } from './score-run.js';

export interface RunOptions extends TaskOptions {
  /** Canonical benchmark name. */
  benchmark: string;
  data: string;
  out: string;
  /** Exactly one of `server` (base URL), `embedded` and `openai`. */
  server?: string;
  embedded?: EmbeddedOptions;
  openai?: OpenAIEndpoint;
  concurrency: number;
  resume: boolean;
  /** With `resume`: run samples whose line is an error again. */
  retryErrors: boolean;
  timeoutMs: number;
  knobs?: TextKnobs;
  /** Seconds between progress lines when stderr is not a terminal. */
  progressEverySeconds: number;
}

/** What answered the run: our server at `url`, one embedded for the run, or an OpenAI-compatible endpoint. */
export interface RunBackend {
  kind: 'server' | 'embedded' | 'openai';
  /** The base URL (null when embedded); `--openai` URLs carry no credentials (the key is in an environment variable). */
  url: string | null;
  /** The model id the server reported, the embedded package's, or the name sent to the OpenAI-compatible endpoint. */
  model: string | null;
}

/** OUT/run.json: what was run, against what, and how it went. */
export interface RunRecord {
  benchmark: string;
  data: string;
  model: string | null;
  /** sha256 of the model package's manifest.json (embedded runs; null when run against a --server). */
  package_sha256: string | null;
  /** The server's URL, "embedded", or the OpenAI-compatible endpoint's URL. */
  server: string;
  embedded: boolean;
  backend: RunBackend;
  /** The harness checkout's commit, null outside a git checkout. */
  git: GitState | null;
  limit: number | null;
  prompt: string | null;
  direct: boolean;
  knobs: TextKnobs | null;
  /** VQA benchmarks: the task family every request carried, and the answer canvas (tokens) they decoded over
   *  (both null with --openai: a chat request carries no task, and the endpoint decides its length). */
  task: VqaTask | null;
  canvas: number | null;
  total: number;
  completed: number;
  errors: number;
  finished_at: string;
  /** Seconds spent calling the server in the last invocation. */
  wall_s: number;
}

async function nonEmpty(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.size > 0,
    () => false,
  );
}

/** Preflight: an unreachable server fails the run at once instead of as an error on every sample. */
async function servedModel(baseUrl: string): Promise<Schemas['ModelList']['data'][number] | null> {
  const client = createLavidaClient({ baseUrl, apiKey: process.env.LAVIDA_API_KEY });
  try {
    const { data } = await client.GET('/v1/models');
    return data?.data[0] ?? null;
  } catch (e) {
    const cause = (e as Error).cause;
    throw new UserError(
      `cannot reach the server at ${baseUrl}: ${cause instanceof Error ? cause.message : (e as Error).message}`,
    );
  }
}

async function previousRecord(path: string): Promise<Partial<RunRecord> | null> {
  return readFile(path, 'utf8').then(
    (t) => JSON.parse(t) as Partial<RunRecord>,
    () => null,
  );
}

/** One journal, one canvas: a resumed run must decode over the canvas its earlier invocation did. */
async function checkSameCanvas(path: string, canvas: number | null): Promise<void> {
  const prev = await previousRecord(path);
  if (!prev || (prev.canvas ?? null) === canvas) return;
  throw new UserError(
    `this run's requests decoded over a canvas of ${prev.canvas ?? 'the server default (no task sent)'} tokens, they would now ` +
      `over ${canvas ?? 'the server default'}: the model's canvases changed; use another --out`,
  );
}

/** One journal, one decoding: a resumed run must send the knobs its earlier invocation sent. */
async function checkSameKnobs(path: string, knobs: TextKnobs | null): Promise<void> {
  const prev = await previousRecord(path);
  if (!prev) return;
  const before = JSON.stringify(prev.knobs ?? null);
  if (before !== JSON.stringify(knobs))
    throw new UserError(
      `this run was made with --knobs ${before}, not ${JSON.stringify(knobs)}: resume it with the same knobs, or use another --out`,
    );
}

/** Runs `todo` with at most `concurrency` requests in flight, journaling each as it finishes. */
async function drain(todo: Task[], o: RunOptions, perform: Perform, journal: Journal): Promise<void> {
  const bar = progressBar(o.benchmark, todo.length, { everyMs: o.progressEverySeconds * 1000 });
  await forEachConcurrent(todo, o.concurrency, async (task) => {
    const line = await runTask(task, perform, o.timeoutMs);
    await journal.append(line);
    bar.tick(line.error !== undefined);
  });
  bar.done();
}

export async function run(o: RunOptions): Promise<{ record: RunRecord; summary: ScoreSummary | null }> {
  const benchmark = findBenchmark(o.benchmark);
  const tasks = await benchmark.tasks(o.data, o);
  // only ImgEdit writes images
  await mkdir(tasks.some((t) => t.kind === 'edit') ? join(o.out, 'images') : o.out, { recursive: true });
  const predictions = join(o.out, 'predictions.jsonl');
  if (!o.resume && (await nonEmpty(predictions))) {
    throw new UserError(`${predictions} already has predictions: pass --resume to continue it, or another --out`);
  }
  const runJson = join(o.out, 'run.json');
  if (o.resume) await checkSameKnobs(runJson, o.knobs ?? null);
  const before = await recoverJournal(predictions, o.retryErrors);
  if (before.tornBytes > 0)
    process.stderr.write(`[run] dropped a torn last line (${before.tornBytes} bytes) from ${predictions}\n`);
  const todo = tasks.filter((t) => !before.done.has(t.id));
  if (before.done.size > 0) process.stderr.write(`[run] resuming: ${before.done.size} done, ${todo.length} to go\n`);

  const embedded = o.embedded && todo.length > 0 ? await startEmbedded(o.embedded) : null;
  const baseUrl = embedded?.url ?? o.server ?? '';
  const t0 = performance.now();
  const task = o.openai ? null : benchmarkTask(benchmark);
  // a resumed run with nothing left to do keeps the model and canvas its earlier invocation recorded
  const prev = await previousRecord(runJson);
  let model = typeof prev?.model === 'string' ? prev.model : null;
  let packageHash = prev?.package_sha256 ?? null;
  let canvas = prev?.canvas ?? null;
  try {
    if (todo.length > 0) {
      let perform: Perform;
      if (o.openai) {
        const client = openaiClient(o.openai, { timeoutMs: o.timeoutMs });
        await checkReachable(client, o.openai.url);
        model = o.openai.model;
        perform = openaiBackend(client, o.openai.model);
      } else {
        const served = await servedModel(baseUrl);
        model = embedded?.model ?? served?.id ?? null;
        packageHash = embedded ? await packageSha256(embedded.packageDir) : null;
        canvas = runCanvas(task, o.knobs, served);
        if (o.resume) await checkSameCanvas(runJson, canvas);
        const client = createLavidaClient({ baseUrl, apiKey: process.env.LAVIDA_API_KEY });
        perform = serverBackend({
          client,
          imagesDir: join(o.out, 'images'),
          timeoutMs: o.timeoutMs,
          knobs: o.knobs,
          task: task ?? undefined,
        });
      }
      const journal = await Journal.open(predictions);
      try {
        await drain(todo, o, perform, journal);
      } finally {
        await journal.close();
      }
    }
  } finally {
    await embedded?.close();
  }
  const after = await recoverJournal(predictions);
  const backend: RunBackend = o.openai
    ? { kind: 'openai', url: o.openai.url, model }
    : o.embedded
      ? { kind: 'embedded', url: null, model }
      : { kind: 'server', url: o.server ?? null, model };
  const record: RunRecord = {
    benchmark: o.benchmark,
    data: resolve(o.data),
    model,
    package_sha256: packageHash,
    server: backend.url ?? 'embedded',
    embedded: o.embedded !== undefined,
    backend,
    git: await gitState(),
    limit: o.limit ?? null,
    prompt: o.prompt ?? null,
    direct: o.direct === true,
    knobs: o.knobs ?? null,
    task,
    canvas,
    total: tasks.length,
    completed: after.done.size,
    errors: after.errors,
    finished_at: new Date().toISOString(),
    wall_s: Math.round((performance.now() - t0) / 10) / 100,
  };
  await writeAtomic(runJson, `${JSON.stringify(record, null, 2)}\n`);
  return { record, summary: await scoreRun(o.benchmark, o.data, o.out, after.done) };
}
