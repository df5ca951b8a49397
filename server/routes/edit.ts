// POST /v1/edit: an instruction → the edited image as PNG or JSON (`response_format`); with `stream`, the plan
// canvas and the VQ canvas after every pass as `step` events, then `result` (JSON).
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, unixNow, type AppContext } from '../context.js';
import { editDraft } from '../engine/prompts.js';
import type { StepEvent } from '../engine/pipelines.js';
import type { Model } from '../engine/model.js';
import { decodeRequestImage, requestImageBytes } from '../images.js';
import { randomId } from '../ids.js';
import { runJob } from '../jobs.js';
import { checkContext, editOptions, promptLength } from '../knobs.js';
import { requestBody } from '../middleware/body.js';
import { EventStream } from '../sse.js';
import { firstTokenTimer } from '../first-token.js';
import { textStep } from './vqa.js';

type S = components['schemas'];

function editStep(m: Model, e: StepEvent, planLength: number, steps: number): S['EditStepEvent'] {
  if (e.phase !== 'image') return textStep(m, e, e.tokens.slice(0, planLength));
  const mask = m.layout.image_mask_token_id;
  const tokens = e.tokens.map((t) => (t === mask ? null : t));
  return { phase: 'image', nfe: e.nfe, steps, committed: tokens.filter((t) => t !== null).length, tokens };
}

export function editRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', requestBody(ctx.config, 'EditRequest', 'EditUpload'), async (req, res) => {
    const t0 = performance.now();
    const body = req.body as S['EditRequest'];
    checkModel(ctx, body.model);
    const m = ctx.engine.model;
    const settings = editOptions(m, body);
    await runJob(ctx, res, 'edit', async (signal) => {
      const { image, decodeMs } = await decodeRequestImage(ctx, requestImageBytes(req.file, body.image), true);
      const promptTokens = promptLength(m, body.instruction, image, true);
      checkContext(m, promptTokens, editDraft(m.config, settings.planLength).length);
      const stream = body.stream ? (res.locals.stream = new EventStream(res)) : undefined;
      const t1 = performance.now();
      const firstToken = firstTokenTimer(ctx.metrics, 'edit', t0);
      const r = await ctx.engine.edit(image, body.instruction, {
        signal, settings, onStep: (e) => {
          firstToken();
          stream?.send('step', editStep(m, e, settings.planLength, settings.image.steps));
        },
      });
      const nfe = settings.planSteps + settings.image.steps; // every scheduled pass runs (steps <= tokens)
      ctx.metrics.promptTokens.inc({ task: 'edit' }, promptTokens);
      ctx.metrics.nfe.observe({ task: 'edit' }, nfe);
      const seed = settings.image.orderSeed ?? 0;
      if (!stream && (body.response_format ?? 'png') === 'png') {
        return void res.type('image/png').set('X-Lavida-Seed', String(seed)).send(r.png);
      }
      const t2 = performance.now();
      const out: S['EditResponse'] = {
        id: randomId('edit'), object: 'edit', created: unixNow(), model: m.id, plan: r.plan,
        image: { b64_json: r.png.toString('base64'), mime_type: 'image/png', width: r.rgb.width, height: r.rgb.height },
        settings: {
          steps: settings.image.steps, plan_steps: settings.planSteps, shift: settings.image.shift ?? 5,
          order: settings.image.order ?? 'stratified', seed,
        },
        usage: { nfe },
        timings: { image_decode_ms: decodeMs, inference_ms: t2 - t1, total_ms: t2 - t0 },
      };
      if (!stream) return void res.set('X-Lavida-Seed', String(seed)).json(out);
      stream.send('result', out);
      stream.done();
    });
  });
  return router;
}
