// ImgEdit scoring: step1_get_avgscore.py (per-sample average of `Label: N` lines), step2_typescore.py (per-type
// mean), Overall as the mean of the type scores (paper convention) and the sample mean; `dropped` counts the
// replies without a score (`unparseable`) and the failed judge calls together.
import { UserError } from '../../errors.js';
import { parseObjectEntries } from '../../jsonorder.js';
import { readText } from '../../predictions.js';
import { pyInt, pyIsDigit, pyRound, pySplitlines, pyStrip } from '../../python.js';
import type { JudgeRecord, Metrics, SampleScore, ScoreReport } from '../../types.js';
import { loadImgEdit, type ImgEditRecord } from './load.js';

/** Paper column order; "compose" is "Hybrid" in the paper's tables. */
export const EDIT_TYPES = ['add', 'adjust', 'extract', 'replace', 'remove', 'background', 'style', 'compose', 'action'];

/**
 * Step 1's scores of a reply: every line whose strip().split(': ') has exactly two parts with a digit-only second
 * part (the three `Label: N` lines, and a "Brief reasoning: 5" line too). Python's isdigit() also accepts
 * superscripts, on which the official int() raises; those lines are skipped. Not a string ({"error": …}): none.
 */
export function step1Scores(reply: unknown): number[] {
  if (typeof reply !== 'string') return [];
  const scores: number[] = [];
  for (const line of pySplitlines(reply)) {
    const parts = pyStrip(line).split(': ');
    if (parts.length === 2 && pyIsDigit(parts[1]!)) scores.push(Number(pyInt(parts[1]!)));
  }
  return scores;
}

/** Step 1: the mean of the reply's scores rounded to 2 places; no score at all → null (dropped, never zero). */
export function step1Average(reply: unknown): number | null {
  const scores = step1Scores(reply);
  if (scores.length === 0) return null;
  return pyRound(scores.reduce((a, b) => a + b, 0) / scores.length, 2);
}

/** A judge reply (text, not a failed call) in which step 1 finds no score: dropped like a failed call. */
export const isUnparseable = (reply: unknown): boolean => typeof reply === 'string' && step1Scores(reply).length === 0;

/** Python's sum(xs)/len(xs), summed in the given order. */
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Scores a judge-result object {key: reply}, entries in file order (the order the official scripts sum in). */
export function scoreImgEdit(records: ImgEditRecord[], results: Array<[string, unknown]>): ScoreReport {
  const byKey = new Map(records.map((r) => [r.key, r]));
  const perType = new Map<string, number[]>();
  const samples: SampleScore[] = [];
  const kept: number[] = [];
  const seen = new Set<string>();
  for (const [key, reply] of results) {
    const r = byKey.get(key);
    if (!r) throw new UserError(`judge result key "${key}" matches no record in the data`);
    seen.add(key);
    const avg = step1Average(reply);
    samples.push({ id: key, edit_type: r.editType, avg, scores: step1Scores(reply) });
    if (avg === null) continue;
    kept.push(avg);
    perType.set(r.editType, [...(perType.get(r.editType) ?? []), avg]);
  }
  const metrics: Metrics = {};
  const typeScores: number[] = [];
  const types = [...EDIT_TYPES, ...[...perType.keys()].filter((t) => !EDIT_TYPES.includes(t)).sort()];
  for (const t of types) {
    const xs = perType.get(t);
    if (!xs) continue;
    const s = pyRound(mean(xs), 2);
    metrics[t] = s;
    typeScores.push(s);
  }
  metrics.overall = typeScores.length === 0 ? null : mean(typeScores);
  metrics.sample_mean = kept.length === 0 ? null : mean(kept);
  metrics.dropped = samples.length - kept.length;
  metrics.unparseable = results.filter(([, reply]) => isUnparseable(reply)).length;
  return {
    benchmark: 'imgedit',
    n: samples.length,
    metrics,
    sample_counts: {},
    missing: records.filter((r) => !seen.has(r.key)).length,
    settings: { overall: 'mean of type scores (paper convention)', parser: 'official step1/step2' },
    samples,
  };
}

/**
 * A judge result file scored against the data: the one ImgEdit report, of `score`, of `run` (the world oracle
 * judge) and of `judge` (a vision LLM); `judge` says who judged, when known.
 */
export async function scoreResultFile(data: string, file: string, judge?: JudgeRecord): Promise<ScoreReport> {
  const { records } = await loadImgEdit(data);
  const report = scoreImgEdit(records, parseObjectEntries(await readText(file, 'judge result file'), file));
  return judge === undefined ? report : { ...report, judge };
}
