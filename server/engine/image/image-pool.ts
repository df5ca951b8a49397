// Image threads: request images are decoded and prepared (anyres views, VQ input) in worker threads, so a large
// image never blocks the event loop. Each call goes to the thread with the fewest calls in flight; a thread
// that dies fails its calls (an internal error) and is replaced when the next call comes, so a thread that cannot
// start is not restarted in a loop. Closing the pool fails the calls in flight with WorkerUnavailableError (503).
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../module-worker.js';
import { WorkerUnavailableError } from '../ort/worker-errors.js';
import type { ModelConfig } from '../package/model-config.js';
import type { ImageReply, ImageRequest } from './image-protocol.js';
import { ImageError } from './mime.js';
import type { PreparedImage } from './prepare.js';
import type { DecodeOptions } from './preprocess.js';

interface Pending {
  resolve: (image: PreparedImage) => void;
  reject: (e: Error) => void;
}

class ImageThread {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  constructor(onDeath: (t: ImageThread) => void) {
    this.worker = moduleWorker(import.meta.url, './image-worker');
    this.worker.unref(); // idle image threads never keep the process alive
    this.worker.on('message', (reply: ImageReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) p?.resolve(reply.image);
      else
        p?.reject(
          reply.error.code ? new ImageError(reply.error.message, reply.error.code) : new Error(reply.error.message),
        );
    });
    const die = (why: string) => {
      this.worker.removeAllListeners('exit').removeAllListeners('error');
      for (const p of this.pending.values()) p.reject(new Error(`image thread ${why}`));
      this.pending.clear();
      onDeath(this);
    };
    this.worker.on('error', (e) => die(`crashed: ${e.message}`));
    this.worker.on('exit', (code) => die(`exited (code ${code})`));
  }

  call(req: ImageRequest): Promise<PreparedImage> {
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(req, [req.bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit').removeAllListeners('error');
    for (const p of this.pending.values()) p.reject(new WorkerUnavailableError('the image threads are closed'));
    this.pending.clear();
    await this.worker.terminate();
  }
}

export interface PrepareOptions extends Omit<DecodeOptions, 'allowed'> {
  edit?: boolean; // also prepare the VQ input of an edit
}

export class ImagePool {
  private threads: Array<ImageThread | null>; // null: died, replaced on the next call
  private nextId = 0;
  private closed = false;

  constructor(
    size: number,
    private readonly config: ModelConfig,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error('the image pool needs at least one thread');
    this.threads = Array.from({ length: size }, () => this.spawn());
  }

  private spawn(): ImageThread {
    return new ImageThread((dead) => {
      this.threads = this.threads.map((t) => (t === dead ? null : t));
    });
  }

  /** Decodes and prepares `bytes` on an image thread (the bytes are copied first; the caller keeps its own). */
  prepare(bytes: Uint8Array, o: PrepareOptions = {}): Promise<PreparedImage> {
    if (this.closed) return Promise.reject(new WorkerUnavailableError('the image threads are closed'));
    const live = this.threads.map((t) => t ?? this.spawn());
    this.threads = live;
    const thread = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const { edit = false, ...decode } = o;
    return thread.call({ id: this.nextId++, bytes: new Uint8Array(bytes), config: this.config, decode, edit });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t?.close()));
  }
}
