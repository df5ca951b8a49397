// The sample viewer's data for one run: each sample's image(s) and prompt (rebuilt from the run's data as `run`
// built them), the model's response (predictions.jsonl), and what the scorer read from it (scores.jsonl).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Task } from '../benchmarks/benchmark.js';
import { findBenchmark } from '../benchmarks/registry.js';
import { imageBytes } from '../run/files.js';
import type { RunEntry } from './collect.js';
import type { Verdict } from './spec.js';

/** A sample in the viewer: the request, the response and the scorer's verdict on it. */
export interface SampleView extends Verdict {
  id: string;
  /** null when the run's data could not be read. */
  prompt: string | null;
  /** Data URLs: the request's image, and for ImgEdit the edited one. */
  images: string[];
  /** The model's whole text (VQA: reasoning and answer), else the response the scorer read. */
  response: string;
  error: string | null;
}

export interface RunSamples {
  label: string;
  benchmark: string;
  samples: SampleView[];
  /** Why prompts and images are missing, if they are. */
  note: string | null;
}

const UNSCORED: Verdict = { extracted: '', answer: '', score: 'not scored', wrong: false };

const THUMBNAIL_SIDE = 384;

async function thumbnail(bytes: Uint8Array): Promise<string> {
  const jpeg = await sharp(bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

interface JournalEntry {
  response: string;
  text?: string;
  error?: string;
}

/** predictions.jsonl by id; a torn last line (a run still going, or killed) is skipped. */
async function journal(dir: string): Promise<Map<string, JournalEntry>> {
  const out = new Map<string, JournalEntry>();
  const lines = (await readFile(join(dir, 'predictions.jsonl'), 'utf8').catch(() => '')).split('\n');
  for (const line of lines) {
    try {
      const v = JSON.parse(line) as { id: unknown } & JournalEntry;
      out.set(String(v.id), v);
    } catch {
      // blank or torn
    }
  }
  return out;
}

const promptOf = (t: Task): string =>
  t.kind === 'vqa' ? t.question : t.kind === 'ground' ? t.description : t.instruction;

/** The request's image and (ImgEdit) the edited one; an image that cannot be read is left out. */
async function images(t: Task | undefined, run: RunEntry, id: string): Promise<string[]> {
  const sources: Array<() => Promise<Uint8Array>> = [];
  if (t) sources.push(() => imageBytes(t.image));
  if (run.record.benchmark === 'imgedit') sources.push(() => readFile(join(run.dir, 'images', `${id}.png`)));
  const out: string[] = [];
  for (const source of sources) {
    const url = await source().then(thumbnail, () => null);
    if (url) out.push(url);
  }
  return out;
}

/** The first `limit` samples of the run (all by default), in the order they were answered. */
export async function runSamples(run: RunEntry, limit = Infinity): Promise<RunSamples> {
  const { record } = run;
  const benchmark = findBenchmark(record.benchmark);
  let tasks = new Map<string, Task>();
  let note: string | null = null;
  try {
    const built = await benchmark.tasks(record.data, {
      limit: record.limit ?? undefined,
      prompt: record.prompt ?? undefined,
      direct: record.direct,
    });
    tasks = new Map(built.map((t) => [t.id, t]));
  } catch (e) {
    note = `no prompts or images: the run's data (${record.data}) could not be read: ${(e as Error).message}`;
  }
  const scores = new Map(run.scores.map((s) => [s.id, s]));
  const samples: SampleView[] = [];
  for (const [id, p] of [...(await journal(run.dir))].slice(0, limit)) {
    const task = tasks.get(id);
    const row = scores.get(id);
    samples.push({
      id,
      prompt: task ? promptOf(task) : null,
      images: await images(task, run, id),
      response: p.text ?? p.response ?? '',
      error: p.error ?? null,
      ...(row ? benchmark.verdict(row) : UNSCORED),
    });
  }
  return { label: run.label, benchmark: record.benchmark, samples, note };
}
