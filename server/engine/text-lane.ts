// One running batch of VQA rows on one leased worker (continuous batching). Rows join and leave at pass
// boundaries: a new request's prompt (vision + prefill, one worker call) runs between passes and its row takes
// part in the next pass; a row whose answer is decoded is returned at once. Every row keeps its own caches in the
// worker and decodes exactly as alone (TextRow); a pass runs together the rows that need the same shape of pass
// (the whole canvas against the prompt cache, or, with the dual cache, one block against the row's window), so
// 16-token block passes share one call and its fixed cost. A failing pass is run again row by row, so only the
// row that fails fails; a worker crash fails the lane's rows (503) and the next rows lease a live worker.
import { randomInt } from 'node:crypto';
import { anyresOf } from './image/prepare.js';
import type { Model } from './model.js';
import type { Lease } from './ort/pool.js';
import type { RowPass } from './ort/runtime.js';
import { WorkerCrashedError, WorkerUnavailableError } from './ort/worker-errors.js';
import { vqaResult, type Job, type VqaResult } from './pipelines.js';
import { jobPromptIds } from './planning/prompt-layout.js';
import { PyRandom } from './sampling/pyrandom.js';
import { TextRow } from './sampling/text-row.js';
import type { TextSamplerOptions } from './sampling/text.js';
import type { BlockPass } from './sampling/types.js';

/** A VQA job with its decoding settings, as the lane takes it. */
export interface TextJob {
  job: Job;
  options: TextSamplerOptions;
}

/** A job's fate, settled once (by its result, its failure or its cancellation). */
export interface Ticket {
  readonly job: TextJob;
  readonly cancelled: () => boolean;
  resolve(r: VqaResult): void;
  reject(e: unknown): void;
}

interface Row {
  ticket: Ticket;
  text: TextRow;
  prompt: string; // the row's prompt cache in the worker
  promptLength: number;
  window?: string; // the dual cache's window of the current block
  rng?: PyRandom;
  promptMs: number;
  passMs: number;
}

const isWorkerError = (e: unknown): boolean => e instanceof WorkerCrashedError || e instanceof WorkerUnavailableError;

export class TextLane {
  private readonly waiting: Ticket[] = [];
  private rows: Row[] = [];
  private lease: Lease | undefined;
  private running = false;
  private windows = 0;

  constructor(
    private readonly m: Model,
    private readonly maxRows: number,
  ) {}

  /** Rows running or waiting to join. */
  get load(): number {
    return this.rows.length + this.waiting.length;
  }

  add(t: Ticket): void {
    this.waiting.push(t);
    if (!this.running) void this.loop();
  }

  /** Drops a waiting ticket (cancelled before it joined). */
  remove(t: Ticket): void {
    const i = this.waiting.indexOf(t);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.load > 0) {
        this.lease ??= this.m.pool.lease();
        await this.admit(this.lease);
        for (const r of this.rows.filter((x) => x.ticket.cancelled())) this.leave(r);
        for (const group of this.passGroups()) await this.pass(this.lease, group);
      }
    } catch (e) {
      // the worker is gone (or none is alive): every row here fails with it, as a batch on it would
      for (const t of [...this.rows.map((r) => r.ticket), ...this.waiting.splice(0)]) t.reject(e);
      this.rows = [];
    } finally {
      await this.lease?.release();
      this.lease = undefined;
      this.running = false;
      if (this.load > 0) void this.loop(); // joined while the lease was being released
    }
  }

  /** Waiting jobs join while there is room: each one's prompt cache, in one worker call per job. */
  private async admit(lease: Lease): Promise<void> {
    while (this.waiting.length && this.rows.length < this.maxRows) {
      const ticket = this.waiting.shift()!;
      if (ticket.cancelled()) continue;
      const { job, options } = ticket.job;
      const began = performance.now();
      try {
        const ids = jobPromptIds(this.m, job.prompt, job.image, false);
        const prompt = await this.m.runtime.promptRow(lease, ids, anyresOf(job.image, this.m.config));
        const c = this.m.config;
        const rng = (options.temperature ?? 0) > 0 ? new PyRandom(job.seed ?? randomInt(2 ** 32)) : undefined;
        const text = new TextRow({ maskId: c.mask_token_id, eosId: c.eos_token_id, eotId: c.eot_token_id }, options);
        this.rows.push({
          ticket,
          text,
          prompt,
          promptLength: ids.length,
          rng,
          promptMs: performance.now() - began,
          passMs: 0,
        });
      } catch (e) {
        if (isWorkerError(e)) {
          this.waiting.unshift(ticket);
          throw e;
        }
        ticket.reject(e);
      }
    }
  }

  /** The rows needing a pass, grouped by the shape of their pass (tokens run, candidates, temperature). */
  private passGroups(): Array<Array<{ row: Row; pass: RowPass }>> {
    const groups = new Map<string, Array<{ row: Row; pass: RowPass }>>();
    for (const row of this.rows) {
      const block = row.text.next();
      if (!block) {
        this.finish(row);
        continue;
      }
      const pass = this.rowPass(row, block);
      const key = `${pass.cache === row.window ? 'window' : 'prompt'}:${pass.canvas.length}:${pass.logitsSpan[1] - pass.logitsSpan[0]}:${row.text.o.temperature ?? 0}`;
      groups.set(key, [...(groups.get(key) ?? []), { row, pass }]);
    }
    return [...groups.values()];
  }

  private rowPass(row: Row, block: BlockPass): RowPass {
    const { start, end } = block;
    const rng = row.rng && { rng: row.rng };
    if (row.text.o.dualCache && !block.first) {
      return {
        cache: row.window!,
        promptLength: row.promptLength,
        canvas: row.text.canvas.subarray(start, end),
        offset: start,
        logitsSpan: [0, end - start],
        ...rng,
      };
    }
    const window = row.text.o.dualCache
      ? { window: { key: this.lease!.cacheKey(`window${this.windows++}`), hide: [start, end] as [number, number] } }
      : {};
    return {
      cache: row.prompt,
      promptLength: row.promptLength,
      canvas: row.text.canvas,
      offset: 0,
      logitsSpan: [start, end],
      ...window,
      ...rng,
    };
  }

  /** Runs one group's pass (again row by row when it fails other than by the worker), then settles the rows that
   *  are done. */
  private async pass(lease: Lease, group: Array<{ row: Row; pass: RowPass }>): Promise<void> {
    const live = group.filter((g) => !g.row.ticket.cancelled());
    if (!live.length) return;
    try {
      await this.run(lease, live);
    } catch (e) {
      if (isWorkerError(e) || live.length === 1) {
        if (isWorkerError(e)) throw e;
        this.fail(live[0]!.row, e);
        return;
      }
      for (const g of live) await this.pass(lease, [g]);
    }
  }

  private async run(lease: Lease, group: Array<{ row: Row; pass: RowPass }>): Promise<void> {
    const began = performance.now();
    const out = await this.m.runtime.passRows(
      lease,
      group.map((g) => g.pass),
      group[0]!.row.text.o.temperature,
    );
    const ms = performance.now() - began;
    const span = group[0]!.pass.logitsSpan[1] - group[0]!.pass.logitsSpan[0];
    for (const [i, { row, pass }] of group.entries()) {
      row.passMs += ms;
      if (pass.window) {
        if (row.window) lease.drop(row.window);
        row.window = pass.window.key;
      }
      if (row.ticket.cancelled()) continue;
      try {
        const { start } = row.text.next()!;
        row.text.commit(out, i * span - start);
        row.ticket.job.job.onStep?.({ phase: 'text', nfe: row.text.nfe, tokens: Array.from(row.text.canvas) });
        if (!row.text.next()) this.finish(row);
      } catch (e) {
        this.fail(row, e);
      }
    }
  }

  private finish(row: Row): void {
    const s = row.text.result();
    row.ticket.resolve(
      vqaResult(this.m, s.tokens, s.confidence, s.nfe, row.promptLength, { prompt: row.promptMs, passes: row.passMs }),
    );
    this.leave(row);
  }

  private fail(row: Row, e: unknown): void {
    row.ticket.reject(e);
    this.leave(row);
  }

  private leave(row: Row): void {
    this.rows = this.rows.filter((r) => r !== row);
    this.dropCaches(row);
  }

  private dropCaches(row: Row): void {
    this.lease?.drop(row.prompt);
    if (row.window) this.lease?.drop(row.window);
  }
}
