// What `run` sends for each sample: the benchmark's loader + prompt builder → one request per prediction id.
import { chartQAPrompt } from '../benchmarks/chartqa/score.js';
import { loadChartQA } from '../benchmarks/chartqa/load.js';
import { loadImgEdit } from '../benchmarks/imgedit/load.js';
import { loadLisa } from '../benchmarks/lisa/load.js';
import { loadMathVista } from '../benchmarks/mathvista/load.js';
import { mathVistaPrompt, type MathVistaPromptStyle } from '../benchmarks/mathvista/prompt.js';
import { loadMMMUPro, type MMMUProRecord } from '../benchmarks/mmmupro/load.js';
import { BARE_IMAGE, countBareImages, mmmuProPrompt, type MMMUProPromptStyle } from '../benchmarks/mmmupro/prompt.js';
import { UserError } from '../errors.js';
import type { ImageSource } from '../types.js';

/** What a request carries: one released image, or several composed into one at call time (eval/compose.ts). */
export type TaskImage = ImageSource | { kind: 'composed'; parts: ImageSource[] };

/** One request; `id` is the prediction id `lavida-eval score` expects for the benchmark. */
export type Task = { id: string; image: TaskImage } & (
  | { kind: 'vqa'; question: string }
  | { kind: 'ground'; description: string }
  | { kind: 'edit'; instruction: string });

export interface TaskOptions {
  /** First N samples (MMMU-Pro: of each setting). */
  limit?: number;
  /** MathVista: query | format-prompt; MMMU-Pro: official | lmms-eval. */
  prompt?: string;
  /** MMMU-Pro: direct-answer prompts instead of chain of thought. */
  direct?: boolean;
}

const head = <T>(xs: T[], n?: number): T[] => (n === undefined ? xs : xs.slice(0, n));

function style<T extends string>(value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0]!;
  if (!(allowed as readonly string[]).includes(value)) throw new UserError(`--prompt must be one of ${allowed.join(', ')} (got ${value})`);
  return value as T;
}

function needImage(img: ImageSource | null | undefined, id: string): ImageSource {
  if (!img) throw new UserError(`sample ${id} has no image`);
  return img;
}

async function mathvista(data: string, o: TaskOptions): Promise<Task[]> {
  const s = style<MathVistaPromptStyle>(o.prompt, ['query', 'format-prompt']);
  return head(await loadMathVista(data, { images: true }), o.limit).map((r) => ({
    id: r.pid, kind: 'vqa', question: mathVistaPrompt(r, s), image: needImage(r.image, r.pid),
  }));
}

async function chartqa(data: string, o: TaskOptions): Promise<Task[]> {
  return head(await loadChartQA(data, { images: true }), o.limit).map((r) => ({
    id: String(r.index), kind: 'vqa', question: chartQAPrompt(r), image: needImage(r.image, String(r.index)),
  }));
}

/**
 * The server takes one image per request: an item whose prompt refers to several images (standard image_1…
 * image_7) gets them composed into one, panels in ascending image number, the `<image k>` tags kept in the text
 * (prompt.ts). Referenced images missing from the row are left out; a prompt that refers to none of the row's
 * images gets all of them. A single image is sent as released.
 */
function mmmuProTask(r: MMMUProRecord, s: MMMUProPromptStyle, cot: boolean): Task {
  const id = `${r.setting}/${r.id}`;
  const p = mmmuProPrompt(r, s, cot);
  if (countBareImages(p.text) > 1) {
    throw new UserError(`sample ${id}: the text names ${BARE_IMAGE} more than once, which the server rejects (one image per request)`);
  }
  const present = p.imageRefs.filter((k) => r.images.has(k));
  const keys = present.length > 0 ? present : [...r.images.keys()].sort((a, b) => a - b);
  const parts = keys.map((k) => r.images.get(k)!);
  const image: TaskImage = parts.length > 1 ? { kind: 'composed', parts } : needImage(parts[0], id);
  return { id, kind: 'vqa', question: p.text, image };
}

async function mmmupro(data: string, o: TaskOptions): Promise<Task[]> {
  const s = style<MMMUProPromptStyle>(o.prompt, ['official', 'lmms-eval']);
  const records = await loadMMMUPro(data, { images: true });
  const bySetting = ['standard', 'vision'].map((k) => head(records.filter((r) => r.setting === k), o.limit));
  return bySetting.flat().map((r) => mmmuProTask(r, s, !o.direct));
}

async function lisa(data: string, o: TaskOptions): Promise<Task[]> {
  // the ground endpoint wraps the referring expression in the model's own LOC prompt
  return head(await loadLisa(data), o.limit).map((r) => ({
    id: String(r.index), kind: 'ground', description: r.problem, image: { kind: 'file', path: r.imagePath },
  }));
}

async function imgedit(data: string, o: TaskOptions): Promise<Task[]> {
  return head((await loadImgEdit(data)).records, o.limit).map((r) => ({
    id: r.key, kind: 'edit', instruction: r.prompt, image: { kind: 'file', path: r.imagePath },
  }));
}

const BUILDERS: Record<string, (data: string, o: TaskOptions) => Promise<Task[]>> = {
  mathvista, chartqa, 'mmmu-pro': mmmupro, lisa, imgedit,
};

/** `benchmark` is a canonical name (score.ts's benchmarkEntry). */
export function buildTasks(benchmark: string, data: string, o: TaskOptions): Promise<Task[]> {
  return BUILDERS[benchmark]!(data, o);
}
