// ChartQA loader: official test_human.json / test_augmented.json + png/, or the HF parquet variants
// (lmms-lab/ChartQA, HuggingFaceM4/ChartQA, ahmed-masry/ChartQA).
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { wrongDataFolder } from '../../data-layouts.js';
import { filesIn, firstFile, requireExists } from '../../fsutil.js';
import { readJsonArray } from '../../json.js';
import { num, readParquetRows, str, toImageSource, type Row } from '../../parquet.js';
import type { ImageSource } from '../../types.js';
import { CHARTQA_DATA } from './layout.js';

export type ChartQASplit = 'human' | 'augmented';

export interface ChartQARecord {
  /** 0-based row index over human then augmented rows (the release order). */
  index: number;
  imgname: string | null;
  question: string;
  /** Ground truths (one in every variant but HuggingFaceM4's list column); any match counts. */
  labels: string[];
  split: ChartQASplit;
  image: ImageSource | null;
}

export interface ChartQALoadOptions {
  images?: boolean;
}

async function loadOfficial(dir: string, opts: ChartQALoadOptions): Promise<ChartQARecord[]> {
  const out: ChartQARecord[] = [];
  for (const split of ['human', 'augmented'] as const) {
    const file = join(dir, `test_${split}.json`);
    for (const r of await readJsonArray(file, 'ChartQA json')) {
      const imgname = str(r.imgname);
      const question = str(r.query);
      const label = str(r.label);
      if (imgname === null || question === null || label === null) {
        throw new UserError(`${file}: row ${out.length} lacks imgname, query or label`);
      }
      const image = opts.images ? ({ kind: 'file', path: join(dir, 'png', imgname) } as const) : null;
      out.push({ index: out.length, imgname, question, labels: [label], split, image });
    }
  }
  return out;
}

function splitOf(r: Row): ChartQASplit {
  const hm = num(r.human_or_machine);
  if (hm !== null) return hm === 0 ? 'human' : 'augmented'; // HuggingFaceM4 ClassLabel: 0 = human
  const t = str(r.type) ?? '';
  return t.includes('human') ? 'human' : 'augmented';
}

function labelsOf(r: Row): string[] {
  const v = r.answer ?? r.label;
  if (Array.isArray(v)) return v.map((x) => str(x) ?? String(x));
  const s = str(v);
  return s === null ? [] : [s];
}

async function loadParquet(files: string[], opts: ChartQALoadOptions): Promise<ChartQARecord[]> {
  const out: ChartQARecord[] = [];
  const cols = opts.images
    ? undefined
    : ['type', 'question', 'answer', 'query', 'label', 'human_or_machine', 'imgname'];
  for (const f of files) {
    for (const r of await readParquetRows(f, cols)) {
      const question = str(r.question) ?? str(r.query);
      const labels = labelsOf(r);
      if (question === null || labels.length === 0)
        throw new UserError(`${f}: row lacks question/query or answer/label`);
      out.push({
        index: out.length,
        imgname: str(r.imgname),
        question,
        labels,
        split: splitOf(r),
        image: opts.images ? toImageSource(r.image) : null,
      });
    }
  }
  return out;
}

/** Loads the test split from a folder (official JSON or HF parquet layout) or one parquet file. */
export async function loadChartQA(path: string, opts: ChartQALoadOptions = {}): Promise<ChartQARecord[]> {
  if ((await requireExists(path, 'ChartQA data')) === 'file') {
    if (!path.endsWith('.parquet')) throw new UserError(`ChartQA data must be a folder or a .parquet file: ${path}`);
    return loadParquet([path], opts);
  }
  const human = await firstFile(path, [
    'test_human.json',
    'test/test_human.json',
    'ChartQA Dataset/test/test_human.json',
  ]);
  if (human) return loadOfficial(join(human, '..'), opts);
  const parquets = await filesIn(path, ['.', 'data'], (n) => /^test(-.*)?\.parquet$/.test(n));
  if (parquets.length > 0) return loadParquet(parquets, opts);
  throw await wrongDataFolder(CHARTQA_DATA, path);
}
