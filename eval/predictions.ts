// Reads predictions.jsonl: one JSON object per line with at least `id` and `response`.
import { readFile } from 'node:fs/promises';
import { UserError } from './errors.js';
import type { Prediction } from './types.js';

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${what} not found: ${path}` : `cannot read ${what} ${path}: ${code ?? e}`);
  }
}

function parseBox(v: unknown): Prediction['box'] {
  if (Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return v as [number, number, number, number];
  }
  return undefined;
}

/** Parses JSONL text; errors name the file and 1-based line number. Duplicate ids are an error. */
export function parsePredictions(text: string, file: string): Prediction[] {
  const out: Prediction[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (line === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new UserError(`${file}:${lineNo}: malformed JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new UserError(`${file}:${lineNo}: expected a JSON object`);
    }
    const rec = obj as Record<string, unknown>;
    const id = rec.id;
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) {
      throw new UserError(`${file}:${lineNo}: missing or invalid "id"`);
    }
    const error = typeof rec.error === 'string' ? rec.error : undefined;
    if (typeof rec.response !== 'string' && error === undefined) {
      throw new UserError(`${file}:${lineNo}: missing "response" (string)`);
    }
    const key = String(id);
    const prev = seen.get(key);
    if (prev !== undefined) throw new UserError(`${file}:${lineNo}: duplicate id "${key}" (first on line ${prev})`);
    seen.set(key, lineNo);
    const pred: Prediction = { id: key, response: typeof rec.response === 'string' ? rec.response : '' };
    if (error !== undefined) pred.error = error;
    const box = parseBox(rec.box);
    if (box) pred.box = box;
    out.push(pred);
  });
  return out;
}

export async function readPredictions(path: string): Promise<Prediction[]> {
  return parsePredictions(await readText(path, 'predictions file'), path);
}
