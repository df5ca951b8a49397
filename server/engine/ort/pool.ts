// A pool of ONNX Runtime workers. A job leases one worker for its whole life (its prompt cache lives there);
// leases go to the live worker with the fewest active leases. A worker that dies fails its in-flight calls
// and is replaced (same session settings, on the provider the pool started on) under the restart policy;
// leases taken before the death stay bound to the dead worker, so its caches are never looked up elsewhere.
import type { GraphName } from '../package/manifest.js';
import type { CacheRef, Feeds, InitResult, RunResult, SessionSettings } from './protocol.js';
import { CrashWindow, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import { type WorkerCrashedError, WorkerUnavailableError } from './worker-errors.js';
import { WorkerHandle } from './worker-handle.js';

/** What the pool reports as it loses and replaces workers (the server logs each as one JSON line). */
export type PoolEvent =
  | {
      event: 'worker_crashed';
      worker: number;
      reason: string;
      inFlight: number;
      crashesInWindow: number;
      restartInMs: number | null;
    }
  | {
      event: 'worker_restart_failed';
      worker: number;
      reason: string;
      crashesInWindow: number;
      restartInMs: number | null;
    }
  | { event: 'worker_restarted'; worker: number; restarts: number; startupMs: number };

export interface PoolHealth {
  size: number;
  alive: number;
  restarts: number; // replacements that came up, since start
  crashes: number; // deaths, failed replacements included
  gaveUp: boolean; // the restart policy ran out: dead workers stay dead
  reason: string | null; // why a worker is down (null when every worker is up)
}

export interface PoolOptions {
  restart?: Partial<RestartPolicy>;
  onEvent?: (e: PoolEvent) => void;
  hangMs?: number; // a graph run slower than this counts as a crash of its worker (default: never)
}

/** One worker, held by a job until `release`; its caches are dropped on release. */
export class Lease {
  private readonly caches = new Set<string>();
  private released = false;

  constructor(
    private readonly worker: WorkerHandle,
    private readonly prefix: string,
  ) {}

  run(graph: GraphName, feeds: Feeds, fetches: string[], cache?: CacheRef): Promise<RunResult> {
    if (cache?.store !== undefined) this.caches.add(cache.store);
    if (cache?.extend !== undefined) this.caches.add(cache.extend.key);
    for (const w of cache?.windows ?? []) if (w) this.caches.add(w.key);
    return this.worker.call<RunResult>({ op: 'run', graph, feeds, fetches, cache });
  }

  /** Stores a prompt cache under `store`: the vision graph's image features (when `vision` is given) fed to the
   *  backbone's prefill, in one call. */
  prompt(store: string, backbone: Feeds, vision?: Feeds): Promise<void> {
    this.caches.add(store);
    return this.worker.call({ op: 'prompt', store, backbone, vision });
  }

  /** Drops a cache now, rather than at release (a row leaving a long-lived lease); the worker's error, if any,
   *  is ignored: the cache is gone either way. */
  drop(cache: string): void {
    if (!this.caches.delete(cache)) return;
    if (this.worker.alive) this.worker.call({ op: 'drop', cache }).catch(() => undefined);
  }

  /** A cache key unique in the pool. */
  cacheKey(name: string): string {
    return `${this.prefix}/${name}`;
  }

  sliceCache(cache: string, rows: number[]): Promise<void> {
    return this.worker.call({ op: 'slice', cache, rows });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.worker.leases--;
    if (!this.worker.alive) return; // its caches died with it
    await Promise.all([...this.caches].map((cache) => this.worker.call({ op: 'drop', cache }).catch(() => undefined)));
  }
}

/** A slot holds a live worker, or is down (`down` says why) while a replacement is due or starting. */
interface Slot {
  worker: WorkerHandle | null;
  down: string | null;
  timer?: NodeJS.Timeout;
  dueAt?: number; // Date.now() when the replacement starts
  starting?: WorkerHandle;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly crashWindow: CrashWindow;
  private readonly onEvent: (e: PoolEvent) => void;
  private readonly respawn: SessionSettings;
  private readonly hangMs: number | undefined;
  private leaseCount = 0;
  private restarts = 0;
  private crashes = 0;
  private gaveUp: string | null = null;
  private closed = false;

  private constructor(
    workers: WorkerHandle[],
    readonly info: InitResult,
    settings: SessionSettings,
    o: PoolOptions,
  ) {
    this.slots = workers.map((worker) => ({ worker, down: null }));
    this.crashWindow = new CrashWindow({ ...DEFAULT_RESTART_POLICY, ...o.restart });
    this.onEvent = o.onEvent ?? (() => undefined);
    // a replacement must not quietly come up on another provider than the one /readyz reports
    this.respawn = { ...settings, device: info.provider };
    this.hangMs = o.hangMs;
  }

  static async start(size: number, settings: SessionSettings, o: PoolOptions = {}): Promise<WorkerPool> {
    if (!(Number.isInteger(size) && size >= 1))
      throw new Error(`worker pool size must be a positive integer, got ${size}`);
    let pool: WorkerPool | undefined;
    const workers = Array.from(
      { length: size },
      () => new WorkerHandle((w, e, n) => pool?.died(w, e, n), { hangMs: o.hangMs }),
    );
    try {
      const infos = await Promise.all(workers.map((w) => w.call<InitResult>({ op: 'init', settings })));
      pool = new WorkerPool(workers, infos[0]!, settings, o);
      return pool;
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
  }

  get size(): number {
    return this.slots.length;
  }

  health(): PoolHealth {
    const alive = this.slots.filter((s) => s.worker?.alive).length;
    const down = this.slots.map((s, i) => (s.down ? `worker ${i}: ${s.down}` : null)).filter((x) => x !== null);
    const reason = this.gaveUp ? [this.gaveUp, ...down].join('; ') : down.length ? down.join('; ') : null;
    return {
      size: this.size,
      alive,
      restarts: this.restarts,
      crashes: this.crashes,
      gaveUp: this.gaveUp !== null,
      reason,
    };
  }

  lease(): Lease {
    const live = this.slots.map((s) => s.worker).filter((w): w is WorkerHandle => w?.alive === true);
    if (!live.length) throw this.unavailable();
    const worker = live.reduce((a, b) => (b.leases < a.leases ? b : a));
    worker.leases++;
    return new Lease(worker, `lease${this.leaseCount++}`);
  }

  /** Test hooks: kills worker `slot` as a native crash would (see WorkerHandle.killForTesting), or makes its
   *  next call never return (`stall`). */
  crashForTesting(slot: number, when: 'now' | 'next-run' | 'stall' = 'now'): void {
    const w = this.slots[slot]?.worker;
    if (!w) throw new Error(`worker ${slot} is not running`);
    if (when === 'stall') w.stallForTesting();
    else w.killForTesting(when === 'next-run');
  }

  async close(): Promise<void> {
    this.closed = true;
    const handles: WorkerHandle[] = [];
    for (const s of this.slots) {
      clearTimeout(s.timer);
      if (s.worker) handles.push(s.worker);
      if (s.starting) handles.push(s.starting);
    }
    await Promise.all(handles.map((w) => w.terminate()));
  }

  private unavailable(): WorkerUnavailableError {
    if (this.closed) return new WorkerUnavailableError('the ONNX Runtime worker pool is closed');
    const h = this.health();
    // retry once the next replacement is due (a second at least: it still has to load its sessions)
    const due = this.slots.map((s) => s.dueAt ?? Date.now()).reduce((a, b) => Math.min(a, b), Infinity);
    const retry = this.gaveUp ? null : Math.max(1000, due - Date.now() + 1000);
    return new WorkerUnavailableError(`no ONNX Runtime worker is alive (${h.reason ?? 'starting'})`, retry);
  }

  private get policy(): RestartPolicy {
    return this.crashWindow.policy;
  }

  private died(w: WorkerHandle, e: WorkerCrashedError, inFlight: number): void {
    const i = this.slots.findIndex((s) => s.worker === w);
    if (this.closed || i < 0) return; // a replacement that dies while starting is handled by restart()
    this.slots[i]!.worker = null;
    const restartInMs = this.schedule(i, e.message);
    this.onEvent({
      event: 'worker_crashed',
      worker: i,
      reason: e.message,
      inFlight,
      crashesInWindow: this.crashWindow.recent,
      restartInMs,
    });
  }

  /** Counts a crash of slot i and plans its replacement; the delay, or null when the policy gives up. */
  private schedule(i: number, reason: string): number | null {
    this.crashes++;
    const slot = this.slots[i]!;
    const delay = this.crashWindow.record();
    if (delay === null || this.gaveUp) {
      // giving up is final: a pool in a crash loop is not half-restarted
      const p = this.policy;
      this.gaveUp ??= `gave up restarting workers after ${this.crashWindow.recent} crashes within ${p.windowMs} ms (limit ${p.maxRestarts} restarts)`;
      slot.down = reason;
      return null;
    }
    slot.down = `${reason}; restarting`;
    slot.dueAt = Date.now() + delay;
    slot.timer = setTimeout(() => void this.restart(i), delay);
    return delay;
  }

  private async restart(i: number): Promise<void> {
    const slot = this.slots[i]!;
    slot.timer = slot.dueAt = undefined;
    const t0 = performance.now();
    // deaths while starting surface as the init call's rejection below, not through died()
    const w = (slot.starting = new WorkerHandle((dead, e, n) => this.died(dead, e, n), { hangMs: this.hangMs }));
    try {
      await w.call<InitResult>({ op: 'init', settings: this.respawn });
    } catch (e) {
      slot.starting = undefined;
      if (this.closed) return;
      void w.terminate(); // not awaited: close() must not slip in before the next attempt is scheduled
      const reason = `replacement failed to start: ${(e as Error).message.split('\n')[0]}`;
      const restartInMs = this.schedule(i, reason);
      this.onEvent({
        event: 'worker_restart_failed',
        worker: i,
        reason,
        crashesInWindow: this.crashWindow.recent,
        restartInMs,
      });
      return;
    }
    slot.starting = undefined;
    if (this.closed) return void (await w.terminate());
    Object.assign(slot, { worker: w, down: null });
    this.restarts++;
    this.onEvent({
      event: 'worker_restarted',
      worker: i,
      restarts: this.restarts,
      startupMs: Math.round(performance.now() - t0),
    });
  }
}
