// Continuous batching of VQA jobs: one lane (a running batch on one leased worker, text-lane.ts) per worker; a
// job joins the lane with the fewest rows and is settled on its own, as soon as its answer is decoded. A job
// cancelled while waiting never runs; one cancelled while running is rejected at once and its row leaves the
// batch at the next pass boundary.
import { abortReason } from './batcher.js';
import type { Model } from './model.js';
import type { VqaResult } from './pipelines.js';
import { TextLane, type TextJob, type Ticket } from './text-lane.js';

export class ContinuousBatcher {
  private readonly lanes: TextLane[];

  /** `lanes`: one per worker; `maxRows`: rows a lane runs at once (the others wait for a row to leave). */
  constructor(m: Model, lanes: number, maxRows: number) {
    if (!(Number.isInteger(lanes) && lanes >= 1 && Number.isInteger(maxRows) && maxRows >= 1))
      throw new Error('lanes and maxRows must be integers >= 1');
    this.lanes = Array.from({ length: lanes }, () => new TextLane(m, maxRows));
  }

  /** Jobs running or waiting, all lanes together. */
  get load(): number {
    return this.lanes.reduce((n, l) => n + l.load, 0);
  }

  submit(job: TextJob, signal?: AbortSignal): Promise<VqaResult> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const lane = this.lanes.reduce((a, b) => (b.load < a.load ? b : a));
    return new Promise<VqaResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => {
        lane.remove(ticket);
        settle(() => reject(abortReason(signal!)));
      };
      const ticket: Ticket = {
        job,
        cancelled: () => signal?.aborted === true,
        resolve: (r) => settle(() => resolve(r)),
        reject: (e) => settle(() => reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.add(ticket);
    });
  }
}
