// The one shape of the task routes (vqa, ground, edit, chat): the body parsed and checked against its schema, the
// model it names checked, the request validated and planned by the engine before admission (a bad request never
// queues), then one engine job: the image decoded off the event loop, the plan fitted to the model's context,
// the event stream opened when asked for, the task run, its tokens and passes counted, the answer sent.
import { Router, type Request, type Response } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, type AppContext } from '../context.js';
import { fitContext, type PreparedImage, type RequestPlan } from '../engine/index.js';
import { firstTokenTimer } from '../first-token.js';
import { runJob } from '../jobs.js';
import type { Task } from '../metrics.js';
import { requestBody, type BodyScreen } from '../middleware/body.js';
import { problemAt } from '../problem.js';
import { decodeRequestImage } from '../request-images.js';
import { EventStream } from '../sse.js';

export interface TaskRoute<B> {
  task: Task;
  schema: string; // the JSON body's schema in openapi.yaml
  upload?: string; // the multipart body's, where the route takes an uploaded image
  screen?: BodyScreen;
  /** Validates and plans the request, before admission; may set response headers. */
  accept(body: B, req: Request, res: Response): TaskRequest;
}

/** An accepted request: its plan, its image, and the job that answers it. */
export interface TaskRequest {
  plan: RequestPlan;
  /** The image's bytes, taken inside the job (a missing or malformed image is the job's outcome). */
  imageBytes(): Uint8Array;
  stream: boolean;
  /** The request fields that problems with the image and with the prompt name (none by default). */
  params?: { image: string; prompt: string };
  run(job: TaskJob): Promise<TaskResult>;
}

export interface TaskJob {
  image: PreparedImage;
  signal: AbortSignal;
  stream: EventStream | undefined;
  /** Called for every denoising pass: the first one's output is the request's time to first token. */
  onPass: () => void;
}

export interface TaskResult {
  nfe: number; // the passes the request ran, all its choices together
  completionTokens?: number;
  /** Answers (JSON, PNG or the stream's last events); `timings()` as of its call. */
  send(timings: () => components['schemas']['Timings']): void;
}

/** `work`'s result; its error names `param` (the request field at fault) when there is one. */
async function naming<T>(param: string | undefined, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw param === undefined ? e : problemAt(e, param);
  }
}

export function taskRouter<B extends { model?: string }>(ctx: AppContext, route: TaskRoute<B>): Router {
  const router = Router();
  router.post('/', requestBody(ctx.config, route.schema, route.upload, route.screen), async (req, res) => {
    const t0 = performance.now();
    const body = req.body as B;
    checkModel(ctx, body.model);
    const request = route.accept(body, req, res);
    await runJob(ctx, res, route.task, async (signal) => {
      const { plan, params } = request;
      const { image, decodeMs } = await naming(params?.image, () =>
        decodeRequestImage(ctx, request.imageBytes(), plan.edit),
      );
      const promptTokens = await naming(params?.prompt, () => fitContext(ctx.engine.model, plan, image));
      const stream = request.stream ? (res.locals.stream = new EventStream(res)) : undefined;
      const t1 = performance.now();
      const result = await request.run({ image, signal, stream, onPass: firstTokenTimer(ctx.metrics, route.task, t0) });
      const labels = { task: route.task };
      ctx.metrics.promptTokens.inc(labels, promptTokens);
      if (result.completionTokens !== undefined) ctx.metrics.completionTokens.inc(labels, result.completionTokens);
      ctx.metrics.nfe.observe(labels, result.nfe);
      result.send(() => {
        const t2 = performance.now();
        return { image_decode_ms: decodeMs, inference_ms: t2 - t1, total_ms: t2 - t0 };
      });
    });
  });
  return router;
}
