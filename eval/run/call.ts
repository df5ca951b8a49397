// One task → one call to the run's backend → one journal line. Failures become the line's `error`. The server
// backend (our REST API through the SDK) is here; the OpenAI-compatible one is openai-backend.ts.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { imageDataUrl, type LavidaClient, type Schemas } from '../../sdk/client.js';
import type { Task, VqaTask } from '../benchmarks/benchmark.js';
import { imageBytes, writeDurable } from './files.js';
import type { JournalLine } from './journal.js';

export type TextKnobs = Schemas['TextKnobs'];

export interface CallOptions {
  client: LavidaClient;
  /** Edited images go to `<imagesDir>/<id>.png`. */
  imagesDir: string;
  timeoutMs: number;
  /** Sent with every VQA request. */
  knobs?: TextKnobs;
  /** The benchmark's task family, sent with every VQA request (the model's canvas for it is the default). */
  task?: VqaTask;
}

/** A failed call: the message recorded in the journal. */
class CallError extends Error {}

type Answer<T> = { data?: T; error?: Schemas['Problem']; response: Response };

const QUEUE_RETRIES = 5;

/** Retries `queue-full` (429) after the server's Retry-After; other problems are the sample's error. */
async function call<T>(send: () => Promise<Answer<T>>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const { data, error, response } = await send();
    if (data !== undefined && response.ok) return data;
    if (response.status === 429 && attempt < QUEUE_RETRIES) {
      await sleep(1000 * Math.max(1, Number(response.headers.get('retry-after')) || 1));
      continue;
    }
    const detail = error?.detail ?? error?.title ?? response.statusText;
    throw new CallError(`HTTP ${response.status}${error?.type ? ` ${error.type}` : ''}: ${detail}`);
  }
}

/** What a backend answers for a task: `response` is what the scorers read, the rest goes into the journal line. */
export type Outcome = { response: string } & Record<string, unknown>;

/** A backend: one task → its outcome; throws on failure. */
export type Perform = (task: Task) => Promise<Outcome>;

async function serverCall(task: Task, o: CallOptions): Promise<Outcome> {
  const image = imageDataUrl(await imageBytes(task.image));
  const signal = AbortSignal.timeout(o.timeoutMs);
  if (task.kind === 'vqa') {
    const d = await call(() =>
      o.client.POST('/v1/vqa', { body: { ...o.knobs, task: o.task, image, question: task.question }, signal }),
    );
    // `response` is what the scorers read: the <answer> span when the model wrote one, else the whole text
    return { response: d.answer ?? d.text, text: d.text, finished: d.finished, usage: d.usage };
  }
  if (task.kind === 'ground') {
    const d = await call(() => o.client.POST('/v1/ground', { body: { image, description: task.description }, signal }));
    const box = d.boxes[0];
    // the LOC text for the scorer's LOC path, and the server's pixel box (which the scorer prefers)
    return box ? { response: box.loc_text, box: box.bbox_2d, loc_bins: box.loc_bins } : { response: '' };
  }
  const d = await call(() =>
    o.client.POST('/v1/edit', { body: { image, instruction: task.instruction, response_format: 'b64_json' }, signal }),
  );
  const file = `${task.id}.png`;
  await writeDurable(join(o.imagesDir, file), Buffer.from(d.image.b64_json, 'base64'));
  return { response: d.plan, image: `images/${file}`, usage: d.usage };
}

/** The backend of `--server` and `--embedded`: /v1/vqa, /v1/ground and /v1/edit. */
export const serverBackend =
  (o: CallOptions): Perform =>
  (task) =>
    serverCall(task, o);

export async function runTask(task: Task, perform: Perform, timeoutMs: number): Promise<JournalLine> {
  const t0 = performance.now();
  try {
    const out = await perform(task);
    return { id: task.id, ...out, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    const err = e as Error;
    const msg =
      err instanceof CallError
        ? err.message
        : err.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`;
    return { id: task.id, response: '', error: msg, ms: Math.round(performance.now() - t0) };
  }
}
