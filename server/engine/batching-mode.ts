// How the engine batches requests, as one setting (the server's LAVIDA_BATCHING, the bench's serving rows):
// `continuous`: VQA and chat rows join and leave a worker's running batch at pass boundaries (grounding and edits
// in lockstep); `lockstep`: every task in lockstep batches (a 5 ms window of up to 16 jobs, returned together);
// `none`: one job at a time per batch, every task.
import type { BatcherOptions } from './batcher.js';

export const BATCHING_MODES = ['continuous', 'lockstep', 'none'] as const;
export type BatchingMode = (typeof BATCHING_MODES)[number];

/** The lockstep batcher's default: a 5 ms window of up to 16 jobs. */
export const LOCKSTEP: BatcherOptions = { windowMs: 5, maxBatch: 16 };

export const isBatchingMode = (s: string): s is BatchingMode => (BATCHING_MODES as readonly string[]).includes(s);

/** The engine options of a mode (`Engine.load`'s `batching` and `continuousBatching`). */
export function batchingOptions(mode: BatchingMode): { batching: BatcherOptions; continuousBatching: boolean } {
  return {
    batching: mode === 'none' ? { windowMs: 0, maxBatch: 1 } : LOCKSTEP,
    continuousBatching: mode === 'continuous',
  };
}
