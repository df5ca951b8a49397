// The package's graphs as calls on a leased worker (mirrors train/lavida_r1/export/runtime.py): image
// embeddings, prompt prefill into a worker-held cache (left-padded batches), denoising steps, VQ encode/decode.
import { pooledSide, unpaddedShape } from '../image/anyres.js';
import type { AnyresInput } from '../image/preprocess.js';
import type { PackageConfig } from '../package/manifest.js';
import { chooseTokens, type UniformSource } from '../sampling/noise.js';
import type { Lease } from './pool.js';
import { tensor, type Feeds, type RowWindow } from './protocol.js';

export const int64 = (values: ArrayLike<number>): BigInt64Array => BigInt64Array.from(Array.from(values, BigInt));
const toInt32 = (values: BigInt64Array): Int32Array => Int32Array.from(values, Number);
const noGrid = (batch: number) => tensor('int64', new BigInt64Array(0), [batch, 0, 0]);

/** The anyres packing as gather indices into [views' tokens; image_newline] (export/anyres.py pack_index). */
export function packIndex(c: PackageConfig, grid: [number, number], originalSize: [number, number]): number[] {
  const side = pooledSide(c);
  const tokens = side * side;
  const [cols, rows] = grid;
  const newline = (1 + cols * rows) * tokens;
  const [top, bottom, left, right] = unpaddedShape(rows * side, cols * side, originalSize[0], originalSize[1]);
  const index = Array.from({ length: tokens }, (_, i) => i);
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const view = 1 + Math.floor(y / side) * cols + Math.floor(x / side);
      index.push(view * tokens + (y % side) * side + (x % side));
    }
    index.push(newline);
  }
  return index;
}

export interface PromptRow {
  ids: number[];
  imageFeatures?: Float32Array; // [image tokens * d_model]
}

/** A prompt batch's cache inside the lease's worker. `rows` maps cache rows to the batch rows still run.
 *  `window`: the dual cache (the prompt's keys followed by the answer's, from a block's first pass). */
export interface PromptCache {
  key: string;
  window?: string;
  rows: number[];
  realLengths: number[]; // per batch row: prompt tokens without padding
}

/** Where a row's pass tokens sit: after its prompt, from answer position `offset`; candidates from `from`. */
interface RowSpan {
  promptLength: number;
  offset: number;
  from: number;
}

/** One row of a continuous batch's pass: its own cache (prompt or dual-cache window) and its tokens. */
export interface RowPass {
  cache: string;
  promptLength: number;
  canvas: ArrayLike<number>; // the tokens run, from answer position `offset`
  offset: number;
  logitsSpan: [number, number]; // candidates for canvas tokens [start, end)
  window?: RowWindow; // a dual-cache block's first pass: keep the row's window
  rng?: UniformSource; // sampling with temperature
}

export interface StepInput {
  canvas: ArrayLike<number>; // [rows * length] answer tokens of the cache's rows, from answer position `offset`
  length: number;
  offset?: number; // default 0
  logitsSpan?: [number, number]; // candidates only for canvas tokens [start, end) (default: all)
  keepWindow?: [number, number]; // store the dual-cache window, the answer's keys in [start, end) hidden
  genVq?: ArrayLike<number>; // [rows * grid * grid]
  grid?: number;
  vocabRange?: [number, number]; // text logits outside are -inf (default: the whole vocabulary)
  want: 'text' | 'vq';
  sample?: { temperature: number; rngs: UniformSource[] }; // text: Gumbel-max from the logits, one source per row
  logits?: boolean; // return the logits themselves (StepOutput.logits; ids and confidence empty)
}

export interface StepOutput {
  ids: Int32Array; // [rows * length] (text) or [rows * grid * grid] (vq)
  confidence: Float32Array;
  logits?: Float32Array; // [rows * text positions * vocabulary] or [rows * grid * grid * codebook], when asked for
}

/** Candidates of each row's logits [rows * positions * vocab], each row drawing from its own source. */
function sampleRows(
  logits: Float32Array,
  rows: number,
  vocab: number,
  o: NonNullable<StepInput['sample']>,
): StepOutput {
  const width = logits.length / rows;
  const ids = new Int32Array(logits.length / vocab);
  const confidence = new Float32Array(ids.length);
  for (let r = 0; r < rows; r++) {
    const out = chooseTokens(logits.subarray(r * width, (r + 1) * width), vocab, o.temperature, o.rngs[r]!);
    ids.set(out.ids, (r * width) / vocab);
    confidence.set(out.confidence, (r * width) / vocab);
  }
  return { ids, confidence };
}

export class PackageRuntime {
  private prompts = 0;

  constructor(
    readonly config: PackageConfig,
    private readonly headDim: number,
  ) {}

  /** The vision graph's feeds for several images (views concatenated, pack indices offset); image tokens of each. */
  private visionFeeds(images: AnyresInput[]): { feeds: Feeds; counts: number[] } {
    const c = this.config;
    const T = pooledSide(c) ** 2;
    const views = images.map((im) => im.pixelValues.length / (3 * c.vision.image_size ** 2));
    const totalViews = views.reduce((a, b) => a + b, 0);
    const pixels = new Float32Array(images.reduce((n, im) => n + im.pixelValues.length, 0));
    const index: number[] = [];
    const counts: number[] = [];
    let offset = 0;
    images.forEach((im, i) => {
      pixels.set(im.pixelValues, offset * 3 * c.vision.image_size ** 2);
      const own = packIndex(c, im.grid, im.originalSize);
      const newline = views[i]! * T;
      index.push(...own.map((k) => (k === newline ? totalViews * T : k + offset * T)));
      counts.push(own.length);
      offset += views[i]!;
    });
    const S = c.vision.image_size;
    return {
      counts,
      feeds: {
        pixel_values: tensor('float32', pixels, [totalViews, 3, S, S]),
        pack_index: tensor('int64', int64(index), [index.length]),
      },
    };
  }

  /** One vision run for several images; features per image. */
  async encodeImages(lease: Lease, images: AnyresInput[]): Promise<Float32Array[]> {
    const { feeds, counts } = this.visionFeeds(images);
    const out = await lease.run('vision', feeds, ['image_features']);
    const all = out.image_features!.data as Float32Array;
    const d = this.config.d_model;
    let start = 0;
    return counts.map((n) => all.slice(start * d, (start += n) * d));
  }

  /** The backbone's feeds for a left-padded prefill (positions count real tokens only). */
  private prefillFeeds(rows: PromptRow[], editVq?: { ids: ArrayLike<number>; grid: number }): Feeds {
    const c = this.config;
    const B = rows.length;
    const P = Math.max(...rows.map((r) => r.ids.length));
    const N = Math.max(0, ...rows.map((r) => (r.imageFeatures?.length ?? 0) / c.d_model));
    const ids = new BigInt64Array(B * P).fill(BigInt(c.eos_token_id));
    const mask = new BigInt64Array(B * P);
    const positions = new BigInt64Array(B * P);
    const features = new Float32Array(B * N * c.d_model);
    rows.forEach((r, b) => {
      const pad = P - r.ids.length;
      r.ids.forEach((t, i) => {
        ids[b * P + pad + i] = BigInt(t);
        mask[b * P + pad + i] = 1n;
        positions[b * P + pad + i] = BigInt(i);
      });
      if (r.imageFeatures) features.set(r.imageFeatures, b * N * c.d_model);
    });
    return {
      input_ids: tensor('int64', ids, [B, P]),
      position_ids: tensor('int64', positions, [B, P]),
      attention_mask: tensor('int64', mask, [B, P]),
      ...this.emptyPast(B),
      image_features: tensor('float32', features, [B, N, c.d_model]),
      edit_vq: editVq ? tensor('int64', int64(editVq.ids), [B, editVq.grid, editVq.grid]) : noGrid(B),
      gen_vq: noGrid(B),
      text_positions: tensor('int64', new BigInt64Array(0), [B, 0]),
      vocab_range: tensor('int64', int64([0, c.embedding_size]), [2]),
    };
  }

  /** Prefills left-padded prompts (positions count real tokens only) and keeps the cache in the worker. */
  async prefill(
    lease: Lease,
    rows: PromptRow[],
    editVq?: { ids: ArrayLike<number>; grid: number },
  ): Promise<PromptCache> {
    const key = lease.cacheKey(`prompt${this.prompts++}`);
    await lease.run('backbone', this.prefillFeeds(rows, editVq), [], { store: key });
    return { key, rows: rows.map((_, i) => i), realLengths: rows.map((r) => r.ids.length) };
  }

  /** One request's prompt cache, unpadded: its image's vision run and the prefill in one worker call (the image
   *  features never leave the worker). */
  async promptRow(lease: Lease, ids: number[], image?: AnyresInput): Promise<string> {
    const key = lease.cacheKey(`prompt${this.prompts++}`);
    await lease.prompt(key, this.prefillFeeds([{ ids }]), image && this.visionFeeds([image]).feeds);
    return key;
  }

  private emptyPast(B: number): Feeds {
    const c = this.config;
    const kv = [c.n_layers, B, c.n_kv_heads, 0, this.headDim];
    return {
      past_keys: tensor('float32', new Float32Array(0), kv),
      past_values: tensor('float32', new Float32Array(0), kv),
      past_gen_mask: tensor('bool', new Uint8Array(0), [B, 0]),
    };
  }

  /** Keeps only `rows` (batch row numbers, a subset of cache.rows) in the worker's cache. */
  async keepRows(lease: Lease, cache: PromptCache, rows: number[]): Promise<void> {
    const kept = rows.map((r) => cache.rows.indexOf(r));
    await Promise.all([cache.key, cache.window].filter((k) => k !== undefined).map((k) => lease.sliceCache(k, kept)));
    cache.rows = rows;
  }

  /** One backbone pass over answer tokens of the cache's rows (or of `only`, a subset of them: the others
   *  wait), against the prompt cache or (`againstWindow`: a block's later passes with the dual cache) against
   *  the window the block's first pass kept. */
  async step(
    lease: Lease,
    cache: PromptCache,
    s: StepInput,
    againstWindow = false,
    only?: number[],
  ): Promise<StepOutput> {
    const c = this.config;
    const run = only ?? cache.rows;
    const B = run.length;
    const L = s.length;
    const [from, to] = s.want === 'text' ? (s.logitsSpan ?? [0, L]) : [0, 0];
    const feeds: Feeds = {
      ...this.stepFeeds(
        run.map((row) => ({ promptLength: cache.realLengths[row]!, offset: s.offset ?? 0, from })),
        s.canvas,
        L,
        to - from,
      ),
      gen_vq: s.genVq ? tensor('int64', int64(s.genVq), [B, s.grid!, s.grid!]) : noGrid(B),
      vocab_range: tensor('int64', int64(s.vocabRange ?? [0, c.embedding_size]), [2]),
    };
    const [idsName, confName, logitsName] =
      s.want === 'text' ? ['text_ids', 'text_confidence', 'text_logits'] : ['vq_ids', 'vq_confidence', 'vq_logits'];
    const fetches = s.logits || (s.want === 'text' && s.sample) ? [logitsName] : [idsName, confName];
    if (againstWindow && cache.window === undefined)
      throw new Error("no dual-cache window: run the block's first pass with keepWindow");
    if (s.keepWindow) cache.window ??= `${cache.key}-window`;
    const rows = only && only.length !== cache.rows.length ? { rows: only.map((r) => cache.rows.indexOf(r)) } : {};
    const out = await lease.run(
      'backbone',
      feeds,
      fetches,
      againstWindow
        ? { use: cache.window, ...rows }
        : { use: cache.key, ...rows, ...(s.keepWindow && { extend: { key: cache.window!, hide: s.keepWindow } }) },
    );
    if (s.logits)
      return { ids: new Int32Array(0), confidence: new Float32Array(0), logits: out[logitsName]!.data as Float32Array };
    if (s.want === 'text' && s.sample)
      return sampleRows(out.text_logits!.data as Float32Array, B, c.embedding_size, s.sample);
    return { ids: toInt32(out[idsName]!.data as BigInt64Array), confidence: out[confName]!.data as Float32Array };
  }

  /** A pass's backbone feeds, row b running `canvas` tokens [b * L, (b + 1) * L) at answer position
   *  rows[b].offset, with candidates for its tokens [from, from + textLength); no generation slots. */
  private stepFeeds(rows: RowSpan[], canvas: ArrayLike<number>, L: number, textLength: number): Feeds {
    const B = rows.length;
    const positions = new BigInt64Array(B * L);
    const textPositions = new BigInt64Array(B * textLength);
    rows.forEach((r, b) => {
      for (let i = 0; i < L; i++) positions[b * L + i] = BigInt(r.promptLength + r.offset + i);
      for (let i = 0; i < textLength; i++) textPositions[b * textLength + i] = BigInt(r.from + i);
    });
    return {
      input_ids: tensor('int64', int64(canvas), [B, L]),
      position_ids: tensor('int64', positions, [B, L]),
      attention_mask: tensor('int64', new BigInt64Array(B * L).fill(1n), [B, L]),
      image_features: tensor('float32', new Float32Array(0), [B, 0, this.config.d_model]),
      edit_vq: noGrid(B),
      gen_vq: noGrid(B),
      text_positions: tensor('int64', textPositions, [B, textLength]),
      vocab_range: tensor('int64', int64([0, this.config.embedding_size]), [2]),
    };
  }

  /** One text pass over rows that each have their own cache in the worker (continuous batching): every row runs
   *  as many tokens and wants as many candidates, each from its own answer position; a row with `window` keeps
   *  its dual-cache window. Candidates [rows * span] (greedy, or drawn with `temperature` from each row's `rng`). */
  async passRows(lease: Lease, rows: RowPass[], temperature = 0): Promise<StepOutput> {
    const L = rows[0]!.canvas.length;
    const span = rows[0]!.logitsSpan[1] - rows[0]!.logitsSpan[0];
    if (rows.some((r) => r.canvas.length !== L || r.logitsSpan[1] - r.logitsSpan[0] !== span))
      throw new Error('a pass runs rows of one shape');
    const canvas = new Int32Array(rows.length * L);
    rows.forEach((r, i) => canvas.set(r.canvas, i * L));
    const feeds = this.stepFeeds(
      rows.map((r) => ({ promptLength: r.promptLength, offset: r.offset, from: r.logitsSpan[0] })),
      canvas,
      L,
      span,
    );
    const sampled = temperature > 0;
    const out = await lease.run('backbone', feeds, sampled ? ['text_logits'] : ['text_ids', 'text_confidence'], {
      stack: rows.map((r) => r.cache),
      windows: rows.map((r) => r.window ?? null),
    });
    if (sampled)
      return sampleRows(out.text_logits!.data as Float32Array, rows.length, this.config.embedding_size, {
        temperature,
        rngs: rows.map((r) => r.rng!),
      });
    return { ids: toInt32(out.text_ids!.data as BigInt64Array), confidence: out.text_confidence!.data as Float32Array };
  }

  /** VQ ids [B * g * g] of B square images given as x / 127.5 - 1 CHW pixels. */
  async vqEncode(lease: Lease, pixels: Float32Array[]): Promise<Int32Array> {
    const V = this.config.vq.image_size;
    const all = new Float32Array(pixels.length * 3 * V * V);
    pixels.forEach((p, i) => all.set(p, i * 3 * V * V));
    const out = await lease.run('vq_encode', { pixels: tensor('float32', all, [pixels.length, 3, V, V]) }, ['vq_ids']);
    return toInt32(out.vq_ids!.data as BigInt64Array);
  }

  /** Pixels [B, 3, V, V] in [-1, 1] of B VQ grids. */
  async vqDecode(
    lease: Lease,
    ids: ArrayLike<number>,
    batch: number,
    grid: number,
  ): Promise<{ pixels: Float32Array; size: number }> {
    const out = await lease.run('vq_decode', { vq_ids: tensor('int64', int64(ids), [batch, grid, grid]) }, ['pixels']);
    return { pixels: out.pixels!.data as Float32Array, size: out.pixels!.dims[2]! };
  }
}
