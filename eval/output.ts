// Writing results: atomic replace (temp file in the same folder + rename), so readers never see half a file.
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { summaryOf, type ScoreReport, type ScoreSummary } from './types.js';

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

/**
 * OUT/summary.json and OUT/scores.jsonl (one JSON line per sample), what `lavida-eval report` reads: written by
 * `run`, `score --out` and `judge --run` alike. Returns the summary.
 */
export async function writeScoreReport(outDir: string, report: ScoreReport): Promise<ScoreSummary> {
  await mkdir(outDir, { recursive: true });
  const { samples } = report;
  const summary = summaryOf(report);
  await writeAtomic(
    join(outDir, 'scores.jsonl'),
    samples.map((s) => JSON.stringify(s)).join('\n') + (samples.length > 0 ? '\n' : ''),
  );
  await writeAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
