// Pairs data records with predictions by id.
import { UserError } from './errors.js';
import type { Prediction } from './types.js';

export interface Matched<R> {
  pairs: Array<{ record: R; prediction: Prediction }>;
  /** Records without a prediction. */
  missing: number;
}

/**
 * Pairs records with predictions in data order. `resolve` maps a prediction id to a record key (or null when
 * unknown); predictions for unknown ids are an error, since they mean the wrong data or benchmark was given.
 */
export function matchPredictions<R>(
  records: R[],
  keyOf: (r: R, index: number) => string,
  preds: Prediction[],
  resolve: (id: string) => string | null = (id) => id,
): Matched<R> {
  const byKey = new Map<string, Prediction>();
  const known = new Set(records.map(keyOf));
  for (const p of preds) {
    const key = resolve(p.id);
    if (key === null || !known.has(key)) throw new UserError(`prediction id "${p.id}" matches no record in the data`);
    if (byKey.has(key)) throw new UserError(`two predictions resolve to the same record "${key}" (id "${p.id}")`);
    byKey.set(key, p);
  }
  const pairs: Matched<R>['pairs'] = [];
  records.forEach((record, i) => {
    const prediction = byKey.get(keyOf(record, i));
    if (prediction) pairs.push({ record, prediction });
  });
  return { pairs, missing: records.length - pairs.length };
}
