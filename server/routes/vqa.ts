// POST /v1/vqa: a question about an image → reasoning, answer, text, usage, timings; with `stream`, the
// answer canvas after every denoising pass as `step` events, then `result`.
import { randomInt } from 'node:crypto';
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, unixNow, type AppContext } from '../context.js';
import type { StepEvent } from '../engine/pipelines.js';
import { decodeRequestImage, requestImageBytes } from '../images.js';
import { runJob } from '../jobs.js';
import { checkContext, promptLength, textOptions } from '../knobs.js';
import { requestBody } from '../middleware/body.js';
import { completionTokens, reasoningOf, renderCanvas } from '../render.js';
import { EventStream } from '../sse.js';
import { firstTokenTimer } from '../first-token.js';
import { randomId } from '../ids.js';
import type { Model } from '../engine/model.js';

type S = components['schemas'];

export const textStep = (m: Model, e: StepEvent, tokens = e.tokens): S['TextStepEvent'] =>
  ({ phase: e.phase === 'plan' ? 'plan' : 'text', nfe: e.nfe, ...renderCanvas(m, tokens) });

export function vqaRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', requestBody(ctx.config, 'VqaRequest', 'VqaUpload'), async (req, res) => {
    const t0 = performance.now();
    const body = req.body as S['VqaRequest'];
    checkModel(ctx, body.model);
    const m = ctx.engine.model;
    const sampling = textOptions(m, body, body.task);
    // sampled answers can be reproduced: the seed drawn here when none was given goes back in a header
    const seed = sampling.temperature ? body.seed ?? randomInt(2 ** 32) : undefined;
    if (seed !== undefined) res.set('X-Lavida-Seed', String(seed));
    await runJob(ctx, res, 'vqa', async (signal) => {
      const { image, decodeMs } = await decodeRequestImage(ctx, requestImageBytes(req.file, body.image));
      checkContext(m, promptLength(m, body.question, image, false), sampling.genLength);
      const stream = body.stream ? (res.locals.stream = new EventStream(res)) : undefined;
      const t1 = performance.now();
      const firstToken = firstTokenTimer(ctx.metrics, 'vqa', t0);
      const r = await ctx.engine.vqa(image, body.question, {
        signal, sampling, seed, onStep: (e) => {
          firstToken();
          stream?.send('step', textStep(m, e));
        },
      });
      const completion = completionTokens(m, r.tokens);
      ctx.metrics.promptTokens.inc({ task: 'vqa' }, r.promptTokens);
      ctx.metrics.completionTokens.inc({ task: 'vqa' }, completion);
      ctx.metrics.nfe.observe({ task: 'vqa' }, r.nfe);
      const t2 = performance.now();
      const out: S['VqaResponse'] = {
        id: randomId('vqa'), object: 'vqa', created: unixNow(), model: m.id,
        reasoning: reasoningOf(r.text), answer: r.answer, text: r.text, finished: completion < r.tokens.length,
        usage: { prompt_tokens: r.promptTokens, completion_tokens: completion, total_tokens: r.promptTokens + completion, nfe: r.nfe },
        timings: { image_decode_ms: decodeMs, inference_ms: t2 - t1, total_ms: t2 - t0 },
      };
      if (!stream) return void res.json(out);
      stream.send('result', out);
      stream.done();
    });
  });
  return router;
}
