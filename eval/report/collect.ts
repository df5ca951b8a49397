// Reads run folders (OUT of `lavida-eval run`): run.json and summary.json.
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { RunRecord } from '../run/runner.js';
import type { RunSummary } from '../run/score-run.js';

export interface RunEntry {
  dir: string;
  /** The folder name: runs are told apart by where they were written. */
  label: string;
  record: RunRecord;
  /** null when the run was not scored (ImgEdit without a judge). */
  summary: RunSummary | null;
}

async function readJson<T>(path: string, required: boolean): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (required) throw new UserError(`${path} not found: is this a \`lavida-eval run\` output folder?`);
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`${path}: malformed JSON (${(e as Error).message})`);
  }
}

/** The run folder's name, and the decoding knobs it was run with (runs of one benchmark told apart). */
function runLabel(dir: string, record: RunRecord): string {
  const knobs = Object.entries(record.knobs ?? {});
  return knobs.length ? `${basename(dir)} [${knobs.map(([k, v]) => `${k}=${v}`).join(', ')}]` : basename(dir);
}

export async function collectRuns(dirs: string[]): Promise<RunEntry[]> {
  const runs: RunEntry[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    const record = (await readJson<RunRecord>(join(dir, 'run.json'), true))!;
    if (typeof record.benchmark !== 'string') throw new UserError(`${join(dir, 'run.json')}: no "benchmark"`);
    runs.push({ dir, label: runLabel(dir, record), record, summary: await readJson<RunSummary>(join(dir, 'summary.json'), false) });
  }
  return runs;
}
