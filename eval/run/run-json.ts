// Reading a run folder's run.json: `report` (every run it compares) and `judge --run` (an ImgEdit run's data).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { RunRecord } from './runner.js';

/** JSON.parse, refusing malformed text with the file's name. */
export function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`${path}: malformed JSON (${(e as Error).message})`);
  }
}

/** DIR/run.json; refused when it is missing, malformed or names no benchmark. */
export async function readRunRecord(dir: string): Promise<RunRecord> {
  const path = join(dir, 'run.json');
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) throw new UserError(`${path} not found: is this a \`lavida-eval run\` output folder?`);
  const record = parseJson<RunRecord>(text, path);
  if (typeof record.benchmark !== 'string') throw new UserError(`${path}: no "benchmark"`);
  return record;
}
