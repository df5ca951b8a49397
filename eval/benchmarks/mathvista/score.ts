// MathVista scoring: official normalize_extracted_answer + safe_equal, accuracy and breakdowns.
import { matchPredictions } from '../../match.js';
import { levenshtein, pyFloat, pyIntOfFloat, pyRound, pyStrFloat, pyStrip } from '../../python.js';
import { percent, type Metrics, type Prediction, type SampleScore, type ScoreReport } from '../../types.js';
import { extractAnswer, type ExtractOptions } from './extract.js';
import type { MathVistaRecord } from './record.js';

/** official: lupantech/MathVista calculate_score.py. lmms-eval: its float bug and str-strip comparison. */
export type MathVistaMode = 'official' | 'lmms-eval';

type NormFields = Pick<MathVistaRecord, 'choices' | 'questionType' | 'answerType' | 'precision'>;

/** Index of the first minimum Levenshtein distance (Python's list.index(min(...))). */
export function mostSimilar(text: string, choices: string[]): number {
  let best = 0;
  let bestD = Infinity;
  choices.forEach((c, i) => {
    const d = levenshtein(text, c);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** normalize_extracted_answer; null is Python's None. */
export function normalizeExtraction(
  extraction: string,
  r: NormFields,
  mode: MathVistaMode = 'official',
): string | null {
  if (r.questionType === 'multi_choice') {
    if (!r.choices || r.choices.length === 0) return null;
    let e = pyStrip(extraction);
    const m = /\(([a-zA-Z])\)/.exec(e);
    if (m) e = m[1]!.toUpperCase(); // only "(c)" is upper-cased; a bare "c" is not
    const idx = r.choices.findIndex((_, i) => String.fromCharCode(65 + i) === e);
    return r.choices[idx >= 0 ? idx : mostSimilar(e, r.choices)]!;
  }
  if (r.answerType === 'integer') {
    const f = pyFloat(extraction);
    const i = f === null ? null : pyIntOfFloat(f);
    return i === null ? null : i.toString();
  }
  if (r.answerType === 'float') {
    // lmms-eval passes the release's float64 precision to round(), which raises TypeError → None
    if (mode === 'lmms-eval' || r.precision === null) return null;
    const f = pyFloat(extraction);
    return f === null ? null : pyStrFloat(pyRound(f, Math.trunc(r.precision)));
  }
  return extraction;
}

/** Official: Python ==. lmms-eval: str(pred).strip() == str(answer).strip(). */
export function safeEqual(prediction: string | null, answer: string, mode: MathVistaMode = 'official'): boolean {
  if (mode === 'lmms-eval') return pyStrip(prediction ?? 'None') === pyStrip(answer);
  return prediction !== null && prediction === answer;
}

export interface MathVistaScoreOptions extends ExtractOptions {
  mode: MathVistaMode;
}

const BREAKDOWN_FIELDS = ['language', 'source', 'category', 'task', 'context', 'grade'] as const;

function groupsOf(r: MathVistaRecord): string[] {
  const g = [`question_type/${r.questionType}`, `answer_type/${r.answerType}`];
  for (const f of BREAKDOWN_FIELDS) {
    const v = r.metadata[f];
    if (v !== null) g.push(`${f}/${v}`);
  }
  for (const s of r.metadata.skills) g.push(`skills/${s}`); // multi-label: counts in every listed skill
  return g;
}

export async function scoreMathVista(
  records: MathVistaRecord[],
  preds: Prediction[],
  opts: MathVistaScoreOptions,
): Promise<ScoreReport> {
  const { pairs, missing } = matchPredictions(records, (r) => r.pid, preds);
  const samples: SampleScore[] = [];
  const groups = new Map<string, { hit: number; total: number }>();
  let hits = 0;
  const methods: Record<string, number> = {};
  for (const { record, prediction } of pairs) {
    const { extraction, method } = await extractAnswer(pyStrip(prediction.response), record, opts);
    const normalized = normalizeExtraction(extraction, record, opts.mode);
    const correct = safeEqual(normalized, record.answer, opts.mode);
    if (correct) hits++;
    methods[method] = (methods[method] ?? 0) + 1;
    for (const g of groupsOf(record)) {
      const acc = groups.get(g) ?? { hit: 0, total: 0 };
      acc.total++;
      if (correct) acc.hit++;
      groups.set(g, acc);
    }
    samples.push({ id: record.pid, extraction, method, prediction: normalized, answer: record.answer, correct });
  }
  const metrics: Metrics = { accuracy: percent(hits, pairs.length), correct: hits };
  const counts: Record<string, number> = { accuracy: pairs.length };
  for (const [g, acc] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    metrics[g] = percent(acc.hit, acc.total);
    counts[g] = acc.total;
  }
  for (const [m, c] of Object.entries(methods)) metrics[`extraction_method/${m}`] = c;
  return {
    benchmark: 'mathvista',
    n: pairs.length,
    metrics,
    sample_counts: counts,
    missing,
    settings: {
      mode: opts.mode,
      extractor: opts.extractor === 'rules' ? 'rules (non-official)' : opts.llm ? 'official+llm' : 'official-no-judge',
      quick_extract: opts.quickExtract ?? false,
    },
    samples,
  };
}
