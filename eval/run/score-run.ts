// Scoring at the end of `run`: OUT/summary.json (what `score` prints) and OUT/scores.jsonl.
import { join } from 'node:path';
import { loadImgEdit } from '../benchmarks/imgedit/load.js';
import { scoreResultFile } from '../benchmarks/imgedit/score.js';
import { findBenchmark } from '../benchmarks/registry.js';
import { writeScoreReport } from '../output.js';
import type { ScoreReport, ScoreSummary } from '../types.js';
import { oracleJudge, worldBenchRoot } from './oracle-judge.js';

/**
 * Scores the journal; for ImgEdit the judge result comes first, from the world's oracle judge (world data
 * only: other ImgEdit data needs a vision-LLM judge, `lavida-eval judge --run OUT`, so `run` stops at the images
 * and says so).
 */
export async function scoreRun(
  benchmark: string,
  data: string,
  out: string,
  ids: Set<string>,
): Promise<ScoreSummary | null> {
  let report: ScoreReport;
  if (benchmark === 'imgedit') {
    const bench = await worldBenchRoot((await loadImgEdit(data)).root);
    if (bench === null) {
      process.stderr.write(
        `[run] ImgEdit images are in ${join(out, 'images')}; judge them with a vision LLM: lavida-eval judge --run ${out} --openai URL --model NAME\n`,
      );
      return null;
    }
    process.stderr.write('[run] judging the edits with the world oracle judge\n');
    const result = await oracleJudge(bench, join(out, 'images'), ids, join(out, 'judge-result.json'));
    report = await scoreResultFile(data, result, { kind: 'world-oracle' });
  } else {
    report = await findBenchmark(benchmark).score(data, join(out, 'predictions.jsonl'), {});
  }
  return writeScoreReport(out, report);
}
