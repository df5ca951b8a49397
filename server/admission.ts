// Admission control: a bounded number of engine jobs at once (429 with Retry-After beyond it), and for each
// admitted job an AbortSignal that fires at the request deadline (504) or when the client goes away.
import type { Response } from 'express';
import type { Metrics } from './metrics.js';
import { HttpProblem } from './problem.js';

/** Abort reasons, told apart when the engine rejects with them. */
export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`the request took longer than its ${ms} ms deadline`);
  }
}
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection');
  }
}
/** The drain timeout passed (SIGTERM) with the job unfinished. */
export class ShuttingDown extends Error {
  constructor() {
    super('the server shut down before this request finished; retry');
  }
}

export class Admission {
  private depth = 0;
  private meanMs = 1000; // moving average of job duration, for Retry-After

  constructor(
    private readonly maxQueue: number,
    private readonly workers: number,
    private readonly metrics: Metrics,
  ) {}

  get queueDepth(): number {
    return this.depth;
  }

  /** Admits a job or throws queue-full; the returned function releases it (once). */
  enter(): () => void {
    if (this.depth >= this.maxQueue) {
      const retryAfter = Math.max(1, Math.ceil((this.depth * this.meanMs) / this.workers / 1000));
      throw new HttpProblem(
        'queue-full',
        `${this.depth} jobs are queued or running (limit ${this.maxQueue}); retry after ${retryAfter} s`,
        {},
        { 'Retry-After': String(retryAfter) },
      );
    }
    this.depth++;
    this.metrics.queueDepth.set(this.depth);
    const start = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.depth--;
      this.metrics.queueDepth.set(this.depth);
      this.meanMs = 0.8 * this.meanMs + 0.2 * (performance.now() - start);
    };
  }
}

/** A signal aborted with DeadlineExceeded after `deadlineMs`, ClientGone when `res` closes unfinished, or the
 *  reason of `shutdown` (ShuttingDown) when that fires. */
export function jobSignal(
  res: Response,
  deadlineMs: number,
  shutdown: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DeadlineExceeded(deadlineMs)), deadlineMs);
  const onClose = () => {
    if (!res.writableFinished) ctl.abort(new ClientGone());
  };
  const onShutdown = () => ctl.abort(shutdown.reason);
  res.on('close', onClose);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  return {
    signal: ctl.signal,
    dispose: () => {
      clearTimeout(timer);
      res.off('close', onClose);
      shutdown.removeEventListener('abort', onShutdown);
    },
  };
}
