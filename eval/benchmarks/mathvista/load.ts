// MathVista loader: the HF testmini parquet, or the GitHub layout (data/testmini.json [+ data/query.json]).
import { dirname, join } from 'node:path';
import { UserError } from '../../errors.js';
import { wrongDataFolder } from '../../data-layouts.js';
import { filesIn, firstFile, kindOf, requireExists } from '../../fsutil.js';
import { num, readParquetRows, str, toImageSource, type Row } from '../../parquet.js';
import { readJson } from '../../json.js';
import type { ImageSource } from '../../types.js';
import { MATHVISTA_DATA } from './layout.js';
import { buildOfficialQuery } from './prompt.js';
import type { MathVistaMeta, MathVistaRecord } from './record.js';

export interface MathVistaLoadOptions {
  /** Decode image bytes / resolve image files (false when only scoring). */
  images?: boolean;
  split?: string;
}

function strList(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((x) => str(x) ?? String(x));
}

function toMeta(v: unknown): MathVistaMeta {
  const m = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return {
    category: str(m.category),
    context: str(m.context),
    grade: str(m.grade),
    language: str(m.language),
    source: str(m.source),
    split: str(m.split),
    task: str(m.task),
    skills: strList(m.skills) ?? [],
    img_height: num(m.img_height),
    img_width: num(m.img_width),
  };
}

function toRecord(r: Row, where: string, image: ImageSource | null, query: string | null): MathVistaRecord {
  const pid = str(r.pid);
  const answer = str(r.answer);
  const questionType = str(r.question_type);
  const answerType = str(r.answer_type);
  if (pid === null || answer === null || questionType === null || answerType === null) {
    throw new UserError(`${where}: record lacks pid, answer, question_type or answer_type`);
  }
  const rec: Omit<MathVistaRecord, 'query'> = {
    pid,
    question: str(r.question) ?? '',
    imagePath: str(r.image) ?? '',
    image,
    choices: strList(r.choices),
    unit: str(r.unit),
    precision: num(r.precision),
    answer,
    questionType,
    answerType,
    metadata: toMeta(r.metadata),
  };
  return { ...rec, query: query ?? buildOfficialQuery(rec) };
}

async function loadParquet(files: string[], opts: MathVistaLoadOptions): Promise<MathVistaRecord[]> {
  const out: MathVistaRecord[] = [];
  const cols = opts.images
    ? undefined
    : [
        'pid',
        'question',
        'image',
        'choices',
        'unit',
        'precision',
        'answer',
        'question_type',
        'answer_type',
        'metadata',
        'query',
      ];
  for (const f of files) {
    for (const r of await readParquetRows(f, cols)) {
      out.push(toRecord(r, f, opts.images ? toImageSource(r.decoded_image) : null, str(r.query)));
    }
  }
  return out;
}

/** The folder (json dir or its parent) where more of the first rows' images exist. */
async function findImageRoot(dir: string, rows: Row[]): Promise<string> {
  const sample = rows
    .slice(0, 20)
    .map((r) => r.image)
    .filter((p): p is string => typeof p === 'string');
  const count = async (root: string): Promise<number> =>
    (await Promise.all(sample.map((p) => kindOf(join(root, p))))).filter((k) => k === 'file').length;
  return (await count(dirname(dir))) > (await count(dir)) ? dirname(dir) : dir;
}

async function loadJson(file: string, opts: MathVistaLoadOptions): Promise<MathVistaRecord[]> {
  const data = await readJson(file, 'MathVista json');
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new UserError(`${file}: expected an object keyed by pid`);
  const dir = dirname(file);
  const queryFile = await firstFile(dir, ['query.json']);
  const queries = queryFile ? ((await readJson(queryFile, 'query.json')) as Record<string, unknown>) : {};
  // images/<pid>.jpg sits at the dataset root: beside the json, or one level up in the GitHub layout
  const imageRoot = opts.images ? await findImageRoot(dir, Object.values(data as Record<string, Row>)) : dir;
  return Object.entries(data as Record<string, Row>).map(([pid, r]) => {
    const row: Row = { ...r, pid: r.pid ?? pid };
    const img =
      typeof row.image === 'string' && opts.images ? { kind: 'file' as const, path: join(imageRoot, row.image) } : null;
    const q = queries[pid];
    return toRecord(row, `${file} pid ${pid}`, img, typeof q === 'string' ? q : null);
  });
}

/** Loads MathVista from a parquet file, a .json file, or a folder holding either layout. */
export async function loadMathVista(path: string, opts: MathVistaLoadOptions = {}): Promise<MathVistaRecord[]> {
  const split = opts.split ?? 'testmini';
  const kind = await requireExists(path, 'MathVista data');
  if (kind === 'file') return path.endsWith('.parquet') ? loadParquet([path], opts) : loadJson(path, opts);
  const parquets = await filesIn(path, ['.', 'data'], (n) => n.startsWith(`${split}-`) && n.endsWith('.parquet'));
  if (parquets.length > 0) return loadParquet(parquets, opts);
  const json = await firstFile(path, [`${split}.json`, `data/${split}.json`]);
  if (json) return loadJson(json, opts);
  throw await wrongDataFolder(MATHVISTA_DATA, path, `${split}-*.parquet or ${split}.json`);
}
