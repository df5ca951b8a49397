// One text canvas decoded pass by pass on its own (continuous batching): the text sampler loop of text.ts for a
// batch of one, turned inside out. `next()` says which pass the row needs, `commit()` applies that pass's
// candidates; the row's tokens, passes and confidences are exactly generateText's for this row alone.
import { transferCounts } from './schedules.js';
import {
  commitPass,
  stopRowAtEos,
  validateTextOptions,
  type TextCanvas,
  type TextSample,
  type TextSamplerOptions,
  type TextTokenIds,
} from './text.js';
import type { BlockPass, Candidates } from './types.js';

export class TextRow {
  private readonly t: TextCanvas;
  private readonly fixed: Uint8Array;
  private readonly decodedBlocks: number;
  private readonly stepsPerBlock: number;
  private block = 0;
  private step = 0;
  private counts: number[] = [];
  private passes = 0;
  private done = false;

  constructor(
    private readonly ids: TextTokenIds,
    readonly o: TextSamplerOptions,
  ) {
    validateTextOptions(o);
    const L = o.genLength;
    this.t = {
      canvas: new Int32Array(L).fill(ids.maskId),
      unmaskStep: new Int32Array(L).fill(-1),
      confidence: new Float64Array(L).fill(NaN),
    };
    this.fixed = new Uint8Array(L);
    const blocks = L / o.blockLength;
    this.decodedBlocks = Math.min(blocks, Math.ceil((o.decodeTokens ?? L) / o.blockLength));
    this.stepsPerBlock = (o.threshold ?? null) === null ? o.steps / blocks : o.blockLength;
    this.startBlock();
  }

  /** The answer canvas so far (masked where undecided). */
  get canvas(): Int32Array {
    return this.t.canvas;
  }

  /** Passes this row has run. */
  get nfe(): number {
    return this.passes;
  }

  /** The pass this row needs next, or null once it is decoded. */
  next(): BlockPass | null {
    while (!this.done) {
      const { start, end } = this.span();
      if (this.step < this.stepsPerBlock && this.t.canvas.subarray(start, end).includes(this.ids.maskId)) {
        return { start, end, first: this.step === 0 };
      }
      const isStop = (x: number): boolean => x === this.ids.eosId || x === this.ids.eotId;
      const finished =
        (this.o.stopAtEos ?? true) &&
        stopRowAtEos(this.t.canvas, this.fixed, 0, this.o.genLength, end, this.ids, isStop);
      this.block++;
      if (finished || this.block >= this.decodedBlocks) this.done = true;
      else this.startBlock();
    }
    return null;
  }

  /** Applies the candidates of the pass `next()` asked for, read from `out` at `at` (a whole canvas per row). */
  commit(out: Candidates, at: number): void {
    const pass = this.next();
    if (!pass) throw new Error('the row is decoded: no pass to commit');
    commitPass(this.t, 0, pass, out, at, this.ids, this.o, this.counts[this.step]!, this.passes);
    this.passes++;
    this.step++;
  }

  /** The decoded row as generateText returns it for a batch of one. */
  result(): TextSample {
    return { tokens: this.t.canvas, unmaskStep: this.t.unmaskStep, confidence: this.t.confidence, nfe: this.passes };
  }

  private span(): { start: number; end: number } {
    const start = this.block * this.o.blockLength;
    return { start, end: start + this.o.blockLength };
  }

  private startBlock(): void {
    const { start, end } = this.span();
    let masked = 0;
    for (let p = start; p < end; p++) if (this.t.canvas[p] === this.ids.maskId) masked++;
    this.counts = transferCounts(masked, this.stepsPerBlock, this.o.schedule ?? 'uniform', this.o.shift ?? 3);
    this.step = 0;
  }
}
