// Writing results: atomic replace (temp file in the same folder + rename), so readers never see half a file.
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleScore } from './types.js';

export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** OUT/scores.jsonl: one JSON line per sample. */
export async function writeScores(outDir: string, samples: SampleScore[]): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, 'scores.jsonl');
  await writeAtomic(path, samples.map((s) => JSON.stringify(s)).join('\n') + (samples.length > 0 ? '\n' : ''));
  return path;
}
