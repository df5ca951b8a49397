// Dynamic batching: jobs submitted within `windowMs` of the first waiting one (up to `maxBatch`) run as one
// batch. Each job may carry an AbortSignal: a queued job is dropped, a running one is settled at once and
// its row reported dead to the batch (`live(i)` false), which stops computing it. A batch that fails with an
// error `rerunAlone` accepts runs again one job at a time, so one job's failure is not its neighbours'.

export type BatchRun<J, R> = (jobs: J[], live: (i: number) => boolean) => Promise<R[]>;

export interface BatcherOptions {
  windowMs: number;
  maxBatch: number;
  rerunAlone?: (e: unknown) => boolean; // which batch failures are retried job by job (default: none)
}

interface Pending<J, R> {
  job: J;
  signal?: AbortSignal;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
  settled: boolean;
  onAbort?: () => void;
}

export const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('the job was cancelled', 'AbortError');

export class DynamicBatcher<J, R> {
  private queue: Array<Pending<J, R>> = [];
  private timer: NodeJS.Timeout | undefined;
  private running = 0;

  /** onIdle: called whenever the last queued or running job is done (or dropped). */
  constructor(
    private readonly run: BatchRun<J, R>,
    private readonly opts: BatcherOptions,
    private readonly onIdle?: () => void,
  ) {
    if (!(opts.maxBatch >= 1 && opts.windowMs >= 0)) throw new Error('maxBatch must be >= 1 and windowMs >= 0');
  }

  submit(job: J, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<R>((resolve, reject) => {
      const p: Pending<J, R> = { job, signal, resolve, reject, settled: false };
      p.onAbort = () => {
        const queued = this.queue.includes(p);
        this.queue = this.queue.filter((q) => q !== p);
        this.settle(p, () => reject(abortReason(signal!)));
        if (queued && this.idle) {
          clearTimeout(this.timer);
          this.timer = undefined;
          this.onIdle?.();
        }
      };
      signal?.addEventListener('abort', p.onAbort, { once: true });
      this.queue.push(p);
      if (this.queue.length >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.windowMs);
    });
  }

  private settle(p: Pending<J, R>, fn: () => void): void {
    if (p.settled) return;
    p.settled = true;
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    fn();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      void this.execute(batch);
    }
  }

  /** No job queued or running. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running === 0;
  }

  private async execute(batch: Array<Pending<J, R>>): Promise<void> {
    this.running++;
    try {
      const results = await this.run(
        batch.map((p) => p.job),
        (i) => !batch[i]!.signal?.aborted,
      );
      batch.forEach((p, i) => this.settle(p, () => p.resolve(results[i]!)));
    } catch (e) {
      if (batch.length > 1 && this.opts.rerunAlone?.(e)) {
        for (const p of batch) if (!p.settled) await this.execute([p]);
      } else {
        for (const p of batch) this.settle(p, () => p.reject(e));
      }
    } finally {
      this.running--;
      if (this.idle) this.onIdle?.();
    }
  }
}
