// One engine job of a request: admitted (or 429), given a signal that fires at the deadline or when the client
// leaves, counted by outcome; a deadline abort becomes 504, a departed client propagates ClientGone.
import type { Response } from 'express';
import { ClientGone, DeadlineExceeded, jobSignal } from './admission.js';
import type { AppContext } from './context.js';
import type { Task } from './metrics.js';
import { HttpProblem } from './problem.js';

export async function runJob<T>(ctx: AppContext, res: Response, task: Task, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let release: () => void;
  try {
    release = ctx.admission.enter();
  } catch (e) {
    ctx.metrics.jobs.inc({ task, outcome: 'rejected' });
    throw e;
  }
  const { signal, dispose } = jobSignal(res, ctx.config.deadlineMs);
  try {
    const result = await fn(signal);
    ctx.metrics.jobs.inc({ task, outcome: 'ok' });
    return result;
  } catch (e) {
    const reason: unknown = signal.aborted ? signal.reason : e;
    if (reason instanceof DeadlineExceeded) {
      ctx.metrics.jobs.inc({ task, outcome: 'deadline' });
      throw new HttpProblem('deadline-exceeded', reason.message);
    }
    ctx.metrics.jobs.inc({ task, outcome: reason instanceof ClientGone ? 'cancelled' : 'error' });
    throw reason;
  } finally {
    dispose();
    release();
  }
}
