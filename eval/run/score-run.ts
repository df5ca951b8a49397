// Scoring at the end of `run`: OUT/summary.json (what `score` prints) and OUT/scores.jsonl.
import { join } from 'node:path';
import { loadImgEdit } from '../benchmarks/imgedit/load.js';
import { writeAtomic, writeScores } from '../output.js';
import { benchmarkEntry } from '../score.js';
import type { ScoreReport } from '../types.js';
import { oracleJudge, worldBenchRoot } from './oracle-judge.js';

export type RunSummary = Omit<ScoreReport, 'samples'>;

/**
 * Scores the journal; for ImgEdit the judge result comes first, from the world's oracle judge (world data
 * only: other ImgEdit data needs a vision-LLM judge, `lavida-eval judge`, so `run` stops at the images and says so).
 */
export async function scoreRun(benchmark: string, data: string, out: string, ids: Set<string>): Promise<RunSummary | null> {
  let predictions = join(out, 'predictions.jsonl');
  if (benchmark === 'imgedit') {
    const bench = await worldBenchRoot((await loadImgEdit(data)).root);
    if (bench === null) {
      process.stderr.write(`[run] ImgEdit images are in ${join(out, 'images')}; judge them with a vision LLM: lavida-eval judge --data ${data} --images ${join(out, 'images')} --openai URL --model NAME\n`);
      return null;
    }
    process.stderr.write('[run] judging the edits with the world oracle judge\n');
    predictions = await oracleJudge(bench, join(out, 'images'), ids, join(out, 'judge-result.json'));
  }
  const { samples, ...summary } = await benchmarkEntry(benchmark).score(data, predictions, {});
  await writeScores(out, samples);
  await writeAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
