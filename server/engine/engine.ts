// The engine: a verified package, its ONNX Runtime workers and one dynamic batcher per task and settings.
// This is what the HTTP layer holds; inputs are image bytes (decoded and prepared on the image threads), or
// images decoded or prepared already, and prompts.
import { DynamicBatcher, type BatcherOptions } from './batcher.js';
import { LOCKSTEP } from './batching-mode.js';
import { ContinuousBatcher } from './continuous-batcher.js';
import { ImagePool, type PrepareOptions } from './image/image-pool.js';
import type { JobImage, PreparedImage } from './image/prepare.js';
import { modelOf, type Model } from './model.js';
import { parseDevice, type DeviceSetting, type Provider } from './ort/device.js';
import { WorkerPool, type PoolEvent, type PoolHealth } from './ort/pool.js';
import type { RestartPolicy } from './ort/restart-policy.js';
import { defaultWorkerCount } from './ort/worker-count.js';
import { WorkerCrashedError, WorkerUnavailableError } from './ort/worker-errors.js';
import { loadPackage } from './package/load.js';
import type { GraphName } from './package/manifest.js';
import {
  answerQuestions,
  editImages,
  groundBoxes,
  type EditResult,
  type GroundResult,
  type Job,
  type StepEvent,
  type VqaResult,
} from './pipelines.js';
import { editSettings, type EditSettings } from './planning/edit-plan.js';
import { groundingSteps, type GroundingSteps } from './planning/ground-plan.js';
import { textSettings } from './planning/text-plan.js';
import type { TextSamplerOptions } from './sampling/text.js';
import { checkUserText, promptTexts, type Prompt } from './text/prompts.js';

export interface EngineOptions {
  modelsDir: string;
  modelId: string;
  device?: DeviceSetting; // default: LAVIDA_DEVICE, else auto
  workers?: number; // ORT worker threads (default: one per CPU core on the CPU, else 1; ort/worker-count.ts)
  intraOpNumThreads?: number; // per session (default 1; 0 lets ORT choose)
  interOpNumThreads?: number;
  imageThreads?: number; // threads decoding and preparing image bytes (default 1)
  batching?: BatcherOptions; // default 5 ms window, 16 jobs; { windowMs: 0, maxBatch: 1 } turns it off
  // (batching-mode.ts: the options of each of the server's LAVIDA_BATCHING modes)
  continuousBatching?: boolean; // VQA: rows join and leave a worker's running batch at pass boundaries (default true;
  // false: VQA batches like grounding and edits, in lockstep, its rows returned when the batch ends)
  verifyChecksums?: boolean;
  restartPolicy?: Partial<RestartPolicy>; // crashed workers (default: ort/restart-policy.ts)
  workerHangMs?: number; // a graph run slower than this counts as a crash of its worker (default: never)
  log?: (line: string) => void;
  onWorkerEvent?: (e: PoolEvent) => void; // crashes and restarts (default: one JSON line to `log`)
}

export interface EngineStatus {
  model: string;
  dtype: string;
  device: DeviceSetting; // requested
  provider: Provider; // in use
  fallbackReason: string | null; // why the requested provider is not in use
  workers: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onStep?: (e: StepEvent) => void; // vqa and edit: the job's canvas after every pass
}

export type ImageInput = Uint8Array | JobImage;

/** A failed batch whose error is not the worker's is run again one job at a time: the job that caused it fails
 *  alone, its neighbours complete. */
const rerunAlone = (e: unknown): boolean => !(e instanceof WorkerCrashedError || e instanceof WorkerUnavailableError);

export class Engine {
  private readonly batchers = new Map<string, DynamicBatcher<Job, unknown>>();
  private readonly continuous: ContinuousBatcher | undefined;

  private constructor(
    readonly model: Model,
    readonly status: EngineStatus,
    private readonly batching: BatcherOptions,
    private readonly images: ImagePool,
    continuous: boolean,
  ) {
    // one lane per worker; without batching (maxBatch 1) a lane runs one row at a time
    this.continuous = continuous ? new ContinuousBatcher(model, model.pool.size, batching.maxBatch) : undefined;
  }

  static async load(o: EngineOptions): Promise<Engine> {
    const log = o.log ?? ((line: string) => console.warn(line));
    const device = o.device ?? parseDevice(process.env.LAVIDA_DEVICE);
    const pkg = await loadPackage(o.modelsDir, o.modelId, { verifyChecksums: o.verifyChecksums });
    const graphs = Object.fromEntries(Object.entries(pkg.manifest.graphs).map(([name, g]) => [name, g.file])) as Record<
      GraphName,
      string
    >;
    const pool = await WorkerPool.start(
      o.workers ?? defaultWorkerCount(device),
      {
        dir: pkg.dir,
        graphs,
        device,
        intraOpNumThreads: o.intraOpNumThreads ?? 1,
        interOpNumThreads: o.interOpNumThreads ?? 1,
        graphOptimizationLevel: pkg.manifest.runtime.graph_optimization_level,
        enableCpuMemArena: true,
      },
      { restart: o.restartPolicy, hangMs: o.workerHangMs, onEvent: o.onWorkerEvent ?? ((e) => log(JSON.stringify(e))) },
    );
    const { provider, fallbackReason } = pool.info;
    if (fallbackReason) log(`[engine] LAVIDA_DEVICE=${device}: running on ${provider} (${fallbackReason})`);
    else log(`[engine] ${pkg.id} on ${provider}, ${pool.size} worker(s)`);
    const status: EngineStatus = {
      model: pkg.id,
      dtype: pkg.manifest.dtype,
      device,
      provider,
      fallbackReason,
      workers: pool.size,
    };
    return new Engine(
      modelOf(pkg, pool),
      status,
      o.batching ?? LOCKSTEP,
      new ImagePool(o.imageThreads ?? 1, pkg.manifest.config),
      o.continuousBatching ?? true,
    );
  }

  /** Live workers, restarts, and why a worker is down (changes as workers crash and are replaced). */
  health(): PoolHealth {
    return this.model.pool.health();
  }

  private submit<R>(
    key: string,
    run: (jobs: Job[], live: (i: number) => boolean) => Promise<R[]>,
    job: Job,
    o: RequestOptions,
  ): Promise<R> {
    let b = this.batchers.get(key);
    if (!b) {
      // one batcher per task and settings, dropped once idle: clients varying float knobs do not grow the map
      const created: DynamicBatcher<Job, unknown> = new DynamicBatcher<Job, unknown>(
        run,
        { ...this.batching, rerunAlone },
        () => void (this.batchers.get(key) === created && this.batchers.delete(key)),
      );
      this.batchers.set(key, (b = created));
    }
    return b.submit(job, o.signal) as Promise<R>;
  }

  /** Batchers alive now (one per task and settings with jobs queued or running). */
  get batcherCount(): number {
    return this.batchers.size;
  }

  /** Decodes and prepares image bytes off the event loop (ImageError for what cannot be used); `edit: true` for
   *  an image to edit. */
  prepareImage(bytes: Uint8Array, o: PrepareOptions = {}): Promise<PreparedImage> {
    return this.images.prepare(bytes, o);
  }

  /** A job, once its text is known to hold no control token (PromptError), so a bad one never joins a batch. */
  private async job(
    image: ImageInput,
    prompt: Prompt,
    edit: boolean,
    onStep?: Job['onStep'],
    seed?: number,
  ): Promise<Job> {
    for (const text of promptTexts(prompt)) checkUserText(this.model.tokenizer, text);
    return {
      prompt,
      image: image instanceof Uint8Array ? await this.prepareImage(image, { edit }) : image,
      onStep,
      seed,
    };
  }

  /** `question`: one user turn, or a conversation (chat). `seed`: with `sampling.temperature` > 0, the draws
   *  (alone or in a batch, the same seed gives the same answer). */
  async vqa(
    image: ImageInput,
    question: Prompt,
    o: RequestOptions & { sampling?: Partial<TextSamplerOptions>; seed?: number } = {},
  ): Promise<VqaResult> {
    const settings = { ...textSettings(this.model), ...o.sampling };
    const job = await this.job(image, question, false, o.onStep, o.seed);
    if (this.continuous) return this.continuous.submit({ job, options: settings }, o.signal);
    return this.submit(
      `vqa:${JSON.stringify(settings)}`,
      (jobs, live) => answerQuestions(this.model, jobs, settings, live),
      job,
      o,
    );
  }

  async ground(
    image: ImageInput,
    description: string,
    o: RequestOptions & { steps?: GroundingSteps } = {},
  ): Promise<GroundResult> {
    const steps = o.steps ?? groundingSteps(this.model);
    return this.submit(
      `ground:${steps}`,
      (jobs, live) => groundBoxes(this.model, jobs, steps, live),
      await this.job(image, description, false),
      o,
    );
  }

  async edit(
    image: ImageInput,
    instruction: string,
    o: RequestOptions & { settings?: Partial<EditSettings> } = {},
  ): Promise<EditResult> {
    const settings = { ...editSettings(this.model), ...o.settings };
    return this.submit(
      `edit:${JSON.stringify(settings)}`,
      (jobs, live) => editImages(this.model, jobs, settings, live),
      await this.job(image, instruction, true, o.onStep),
      o,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.model.pool.close(), this.images.close()]);
  }
}
