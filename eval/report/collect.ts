// Reads run folders (OUT of `lavida-eval run`): run.json, summary.json and scores.jsonl, and names each run.
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseJson, readRunRecord } from '../run/run-json.js';
import type { RunRecord } from '../run/runner.js';
import type { SampleScore, ScoreSummary } from '../types.js';

export interface RunEntry {
  dir: string;
  /** Model id, package hash and decoding settings (runForm); the folder name only where that leaves two alike. */
  label: string;
  record: RunRecord;
  /** null when the run was not scored (ImgEdit without a judge). */
  summary: ScoreSummary | null;
  /** scores.jsonl; empty when the run was not scored. */
  scores: SampleScore[];
}

async function readOptional(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

async function readJsonl<T>(path: string): Promise<T[]> {
  const text = await readOptional(path);
  if (text === null) return [];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => parseJson<T>(l, `${path}:${i + 1}`));
}

/** Leading hex digits of the package hash shown in labels. */
const HASH_DIGITS = 8;

/**
 * "lavida-r1-tiny @3f2a9c1d threshold=0.9 dual_cache=true": the model, its package and how it decoded (knobs,
 * prompt style, direct answers), which is what tells runs of one benchmark apart.
 */
export function runForm(record: RunRecord): string {
  const parts = [record.model ?? 'unknown model'];
  if (record.package_sha256) parts.push(`@${record.package_sha256.slice(0, HASH_DIGITS)}`);
  for (const [k, v] of Object.entries(record.knobs ?? {})) parts.push(`${k}=${v}`);
  if (record.prompt) parts.push(`prompt=${record.prompt}`);
  if (record.direct) parts.push('direct');
  return parts.join(' ');
}

export async function collectRuns(dirs: string[]): Promise<RunEntry[]> {
  const runs: RunEntry[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    const record = await readRunRecord(dir);
    const summaryJson = join(dir, 'summary.json');
    const summaryText = await readOptional(summaryJson);
    runs.push({
      dir,
      label: runForm(record),
      record,
      summary: summaryText === null ? null : parseJson<ScoreSummary>(summaryText, summaryJson),
      scores: await readJsonl<SampleScore>(join(dir, 'scores.jsonl')),
    });
  }
  // runs of one benchmark with the same form (e.g. repeats): the folder names tell them apart
  const key = (r: RunEntry): string => `${r.record.benchmark}\n${runForm(r.record)}`;
  const count = new Map<string, number>();
  for (const r of runs) count.set(key(r), (count.get(key(r)) ?? 0) + 1);
  return runs.map((r) => (count.get(key(r))! > 1 ? { ...r, label: `${r.label} (${basename(r.dir)})` } : r));
}
