// MMMU-Pro scoring: accuracy per setting (standard 10-option, vision), their mean, per-subject accuracy.
import { UserError } from '../../errors.js';
import { matchPredictions } from '../../match.js';
import { pyStrip } from '../../python.js';
import { keyedRng } from '../../rng.js';
import { percent, type Metrics, type Prediction, type SampleScore, type ScoreReport } from '../../types.js';
import type { MMMUProRecord, MMMUProSetting } from './load.js';
import { parseMultiChoice, type FallbackPolicy } from './parse.js';

/** official: evaluate.py. lmms-eval: no `Answer:` fast path; vision responses compared raw to the letter. */
export type MMMUProMode = 'official' | 'lmms-eval';

export interface MMMUProScoreOptions {
  mode: MMMUProMode;
  fallback: FallbackPolicy;
  seed: number;
}

const SETTINGS: MMMUProSetting[] = ['standard', 'vision'];
const keyOf = (r: MMMUProRecord): string => `${r.setting}/${r.id}`;

/** Ids are `standard/<id>` or `vision/<id>`; a bare record id is accepted when only one setting is scored. */
function resolver(records: MMMUProRecord[]): (id: string) => string | null {
  const present = SETTINGS.filter((s) => records.some((r) => r.setting === s));
  return (id) => {
    if (SETTINGS.some((s) => id.startsWith(`${s}/`))) return id;
    if (present.length === 1) return `${present[0]}/${id}`;
    throw new UserError(
      `prediction id "${id}" is ambiguous with both settings loaded: prefix it with standard/ or vision/`,
    );
  };
}

export function scoreMMMUPro(records: MMMUProRecord[], preds: Prediction[], opts: MMMUProScoreOptions): ScoreReport {
  const { pairs, missing } = matchPredictions(records, keyOf, preds, resolver(records));
  const samples: SampleScore[] = [];
  const tally = new Map<string, { hit: number; total: number }>();
  const fallbacks: Record<MMMUProSetting, number> = { standard: 0, vision: 0 };
  const bump = (k: string, hit: boolean): void => {
    const t = tally.get(k) ?? { hit: 0, total: 0 };
    t.total++;
    if (hit) t.hit++;
    tally.set(k, t);
  };
  for (const { record, prediction } of pairs) {
    const response = pyStrip(prediction.response);
    let parsed: { letter: string; fallback: boolean };
    if (opts.mode === 'lmms-eval' && record.setting === 'vision') parsed = { letter: response, fallback: false };
    else {
      parsed = parseMultiChoice(response, record.options, {
        fastPath: opts.mode === 'official',
        fallback: opts.fallback,
        rng: keyedRng(opts.seed, keyOf(record)),
      });
    }
    const correct = parsed.letter === record.answer;
    if (parsed.fallback) fallbacks[record.setting]++;
    bump(record.setting, correct);
    if (record.subject !== null) bump(`${record.setting}/subject/${record.subject}`, correct);
    samples.push({
      id: keyOf(record),
      parsed: parsed.letter,
      fallback: parsed.fallback,
      answer: record.answer,
      correct,
    });
  }
  const metrics: Metrics = {};
  const counts: Record<string, number> = {};
  for (const s of SETTINGS) {
    const t = tally.get(s);
    if (!t) continue;
    metrics[s] = percent(t.hit, t.total);
    counts[s] = t.total;
    metrics[`${s}/fallbacks`] = fallbacks[s];
  }
  const std = metrics.standard;
  const vis = metrics.vision;
  if (typeof std === 'number' && typeof vis === 'number') metrics.mean = (std + vis) / 2;
  for (const [k, t] of [...tally].filter(([k]) => k.includes('/subject/')).sort(([a], [b]) => (a < b ? -1 : 1))) {
    metrics[k] = percent(t.hit, t.total);
    counts[k] = t.total;
  }
  return {
    benchmark: 'mmmu-pro',
    n: pairs.length,
    metrics,
    sample_counts: counts,
    missing,
    settings: { mode: opts.mode, fallback: opts.fallback, seed: opts.seed },
    samples,
  };
}
