// The main thread's handle on one ONNX Runtime worker thread: request/response calls by id, and death
// detection (an uncaught error or any exit fails every pending call and is reported once to the owner).
import { Worker } from 'node:worker_threads';
import { DeviceError } from './device.js';
import { WorkerCrashedError, WorkerUnavailableError } from './errors.js';
import type { Request, Response, WireError } from './protocol.js';
import { transferables } from './protocol.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

/** Run from TypeScript sources (tsx), the worker registers tsx itself: Node 20 does not pass `--import`
 *  loader hooks on to worker threads. */
function spawnWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true });
}

/** Called once when the thread dies on its own (not after `terminate`); `inFlight` calls were failed. */
export type OnDeath = (w: WorkerHandle, error: WorkerCrashedError, inFlight: number) => void;

export class WorkerHandle {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private dead: Error | null = null;
  private crashOnRun = false;
  leases = 0;

  constructor(onDeath: OnDeath) {
    this.worker = spawnWorker();
    this.worker.on('message', (msg: Response) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(revive(msg.error));
    });
    const die = (e: WorkerCrashedError): void => {
      if (this.dead) return; // 'error' is followed by 'exit': report the first
      const inFlight = this.fail(e);
      onDeath(this, e, inFlight);
    };
    this.worker.on('error', (e) => die(new WorkerCrashedError(`ONNX Runtime worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => die(new WorkerCrashedError(`ONNX Runtime worker exited (code ${code})`)));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  call<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req }, req.op === 'run' ? transferables(Object.values(req.feeds)) : []);
    });
    if (this.crashOnRun && req.op === 'run') this.killForTesting();
    return reply;
  }

  /** Test hook: ends the thread abruptly, as a native crash would (the death is reported like any other);
   *  with `onNextRun`, right after its next `run` call is sent, so that call is in flight when it dies. */
  killForTesting(onNextRun = false): void {
    this.crashOnRun = onNextRun;
    if (!onNextRun) void this.worker.terminate();
  }

  /** Ends the thread on purpose: pending calls fail with WorkerUnavailableError, no death is reported. */
  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
    this.fail(new WorkerUnavailableError('the ONNX Runtime worker pool is closed'));
    await this.worker.terminate();
  }

  /** Marks the handle dead and fails its pending calls; how many there were. */
  private fail(e: Error): number {
    this.dead ??= e;
    const n = this.pending.size;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    return n;
  }
}

function revive(e: WireError): Error {
  if (e.name === 'DeviceError') return new DeviceError(e.code as DeviceError['code'], e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
