// Errors the worker pool raises to callers; the HTTP layer maps both to 503 `unavailable` (server/problem.ts).

/** The worker running a call died (crash, native error, OOM, process.exit in the worker) before answering. */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}

/** No worker is alive to take a job: a replacement is starting (`retryAfterMs` set) or the pool gave up. */
export class WorkerUnavailableError extends Error {
  override readonly name = 'WorkerUnavailableError';

  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}
