// One engine job of a request: admitted (or 429), given a signal that fires at the deadline, when the client
// leaves or when the drain times out, counted by outcome; a deadline abort becomes 504, a shutdown 503 with
// Retry-After, a departed client propagates ClientGone.
import type { Response } from 'express';
import { ClientGone, DeadlineExceeded, jobSignal, ShuttingDown } from './admission.js';
import type { AppContext } from './context.js';
import type { Task } from './metrics.js';
import { HttpProblem, toProblem } from './problem.js';

export async function runJob<T>(
  ctx: AppContext,
  res: Response,
  task: Task,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  let release: () => void;
  try {
    release = ctx.admission.enter();
  } catch (e) {
    ctx.metrics.jobs.inc({ task, outcome: 'rejected' });
    throw e;
  }
  const { signal, dispose } = jobSignal(res, ctx.config.deadlineMs, ctx.state.shutdown.signal);
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
    if (reason instanceof ShuttingDown) {
      ctx.metrics.jobs.inc({ task, outcome: 'cancelled' });
      throw new HttpProblem('unavailable', reason.message, {}, { 'Retry-After': '1' });
    }
    // a client's mistake found while running (an image that cannot be used, text that cannot be laid out) is not
    // a failure of the job
    const outcome = reason instanceof ClientGone ? 'cancelled' : toProblem(reason).status < 500 ? 'invalid' : 'error';
    ctx.metrics.jobs.inc({ task, outcome });
    throw reason;
  } finally {
    dispose();
    release();
  }
}
