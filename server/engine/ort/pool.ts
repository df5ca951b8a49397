// A pool of ONNX Runtime workers. A job leases one worker for its whole life (its prompt cache lives there);
// leases go to the worker with the fewest active leases. A crashed worker fails its in-flight calls.
import { Worker } from 'node:worker_threads';
import type { GraphName } from '../package/manifest.js';
import { DeviceError } from './device.js';
import type { CacheRef, Feeds, InitResult, Request, Response, RunResult, SessionSettings } from './protocol.js';
import { transferables } from './protocol.js';

export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

/** Run from TypeScript sources (tsx), the worker registers tsx itself: Node 20 does not pass `--import`
 *  loader hooks on to worker threads. */
function spawnWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true });
}

class OrtWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private dead: Error | null = null;
  leases = 0;

  constructor() {
    this.worker = spawnWorker();
    this.worker.on('message', (msg: Response) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(revive(msg.error));
    });
    const fail = (e: Error): void => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new WorkerCrashedError(`ONNX Runtime worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new WorkerCrashedError(`ONNX Runtime worker exited (code ${code})`)));
  }

  call<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req }, req.op === 'run' ? transferables(Object.values(req.feeds)) : []);
    });
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

function revive(e: { name: string; message: string; code?: string }): Error {
  if (e.name === 'DeviceError') return new DeviceError(e.code as DeviceError['code'], e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** One worker, held by a job until `release`; its caches are dropped on release. */
export class Lease {
  private readonly caches = new Set<string>();
  private released = false;

  constructor(private readonly worker: OrtWorker, private readonly prefix: string) {}

  run(graph: GraphName, feeds: Feeds, fetches: string[], cache?: CacheRef): Promise<RunResult> {
    if (cache?.store !== undefined) this.caches.add(cache.store);
    return this.worker.call<RunResult>({ op: 'run', graph, feeds, fetches, cache });
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
    await Promise.all([...this.caches].map((cache) => this.worker.call({ op: 'drop', cache }).catch(() => undefined)));
  }
}

export class WorkerPool {
  private constructor(private readonly workers: OrtWorker[], readonly info: InitResult) {}
  private leaseCount = 0;

  static async start(size: number, settings: SessionSettings): Promise<WorkerPool> {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`worker pool size must be a positive integer, got ${size}`);
    const workers = Array.from({ length: size }, () => new OrtWorker());
    try {
      const infos = await Promise.all(workers.map((w) => w.call<InitResult>({ op: 'init', settings })));
      return new WorkerPool(workers, infos[0]!);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  lease(): Lease {
    const worker = this.workers.reduce((a, b) => (b.leases < a.leases ? b : a));
    worker.leases++;
    return new Lease(worker, `lease${this.leaseCount++}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
