// The main thread's handle on one ONNX Runtime worker thread: request/response calls by id, and death
// detection (an uncaught error or any exit fails every pending call and is reported once to the owner). A graph
// run that takes longer than `hangMs` counts as a death too: the handle is reported hung and the thread is asked
// to exit once the run returns. It is never terminated mid-run: onnxruntime-node can abort the whole process when a
// run returns into a terminated thread. (A run that never returns leaves its thread behind, idle but not freed.)
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../module-worker.js';
import { DeviceError } from './device.js';
import type { Request, Response, TensorData, WireError } from './protocol.js';
import { transferables } from './protocol.js';
import { WorkerCrashedError, WorkerUnavailableError } from './worker-errors.js';

const RETIRE_WAIT_MS = 5000;

/** Called once when the thread dies on its own (not after `terminate`); `inFlight` calls were failed. */
export type OnDeath = (w: WorkerHandle, error: WorkerCrashedError, inFlight: number) => void;

interface PendingCall {
  runs: number; // graph runs in the call
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  watchdog?: NodeJS.Timeout;
}

export interface WorkerHandleOptions {
  hangMs?: number; // a graph run slower than this is a hung worker (default: never)
}

export class WorkerHandle {
  private readonly worker: Worker;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 0;
  private dead: Error | null = null;
  private dropNextReply = false;
  leases = 0;

  constructor(
    private readonly onDeath: OnDeath,
    private readonly o: WorkerHandleOptions = {},
  ) {
    this.worker = moduleWorker(import.meta.url, './worker');
    this.worker.on('message', (msg: Response) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (this.dropNextReply && p.runs > 0) return void (this.dropNextReply = false);
      this.pending.delete(msg.id);
      clearTimeout(p.watchdog);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(revive(msg.error));
    });
    this.worker.on('error', (e) => this.die(new WorkerCrashedError(`ONNX Runtime worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => this.die(new WorkerCrashedError(`ONNX Runtime worker exited (code ${code})`)));
  }

  private die(e: WorkerCrashedError): void {
    if (this.dead) return; // 'error' is followed by 'exit': report the first
    const inFlight = this.fail(e);
    this.onDeath(this, e, inFlight);
  }

  private hung(ms: number): void {
    this.die(new WorkerCrashedError(`ONNX Runtime worker hung: a graph run took over ${ms} ms`));
    this.silence();
    this.post({ op: 'exit', code: 0 });
  }

  /** A message that gets no reply. */
  private post(req: Extract<Request, { op: 'exit' }>): void {
    this.worker.postMessage({ id: -1, req });
  }

  get alive(): boolean {
    return this.dead === null;
  }

  call<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      const runs = graphRuns(req);
      const hangMs = this.o.hangMs && runs * this.o.hangMs;
      const watchdog = hangMs ? setTimeout(() => this.hung(this.o.hangMs!), hangMs) : undefined; // one of its runs took over hangMs
      this.pending.set(id, { runs, resolve: resolve as (v: unknown) => void, reject, watchdog });
      this.worker.postMessage({ id, req }, transferables(feedsOf(req)));
    });
    return reply;
  }

  /** Test hook: ends the thread abruptly, as a native crash would (the death is reported like any other);
   *  with `onNextRun`, when its next `run` returns, in place of the reply, so that call is in flight when it
   *  dies. (Only an idle thread is terminated: see the header.) */
  killForTesting(onNextRun = false): void {
    if (onNextRun) this.post({ op: 'exit', code: 1, afterNextRun: true });
    else void this.worker.terminate();
  }

  /** Test hook: the reply to the next graph call (run or prompt) is lost, as if it never returned (a hung native call). */
  stallForTesting(): void {
    this.dropNextReply = true;
  }

  /** Ends the thread on purpose: pending calls fail with WorkerUnavailableError, no death is reported. A busy
   *  thread exits once its run returns (see the header); a run that takes over `RETIRE_WAIT_MS` is not waited for. */
  async terminate(): Promise<void> {
    const busy = this.pending.size > 0;
    this.silence();
    this.fail(new WorkerUnavailableError('the ONNX Runtime worker pool is closed'));
    if (!busy) return void (await this.worker.terminate());
    this.post({ op: 'exit', code: 0 });
    await new Promise<void>((done) => {
      const giveUp = setTimeout(() => {
        this.worker.unref(); // it no longer keeps the process alive
        done();
      }, RETIRE_WAIT_MS);
      this.worker.once('exit', () => {
        clearTimeout(giveUp);
        done();
      });
    });
  }

  /** No more death reports from the thread (it is being ended on purpose). */
  private silence(): void {
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
  }

  /** Marks the handle dead and fails its pending calls; how many there were. */
  private fail(e: Error): number {
    this.dead ??= e;
    const n = this.pending.size;
    for (const p of this.pending.values()) {
      clearTimeout(p.watchdog);
      p.reject(e);
    }
    this.pending.clear();
    return n;
  }
}

/** Graph runs in one request (a prompt's vision and prefill are two): its hang limit is that many times hangMs. */
function graphRuns(req: Request): number {
  if (req.op === 'run') return 1;
  if (req.op === 'prompt') return req.vision ? 2 : 1;
  return 0;
}

/** The tensors a request carries (their buffers move to the worker). */
function feedsOf(req: Request): TensorData[] {
  if (req.op === 'run') return Object.values(req.feeds);
  if (req.op === 'prompt') return [...Object.values(req.vision ?? {}), ...Object.values(req.backbone)];
  return [];
}

function revive(e: WireError): Error {
  if (e.name === 'DeviceError') return new DeviceError(e.code as DeviceError['code'], e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
