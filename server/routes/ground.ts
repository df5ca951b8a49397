// POST /v1/ground: a description → its box in original-image pixels and normalized, with the raw LOC bins.
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, unixNow, type AppContext } from '../context.js';
import { groundingRequest } from '../engine/chat.js';
import { decodeRequestImage, requestImageBytes } from '../images.js';
import { randomId } from '../ids.js';
import { runJob } from '../jobs.js';
import { checkContext, promptLength } from '../knobs.js';
import { requestBody } from '../middleware/body.js';

type S = components['schemas'];
const LOC_CANVAS = 7; // <LOC_BEGIN>, four LOC tokens, <LOC_END>, <|eot_id|>

export const locText = (bins: readonly number[]): string => `<LOC_BEGIN>${bins.map((b) => `<LOC_${b}>`).join('')}<LOC_END>`;

export function groundRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', requestBody(ctx.config, 'GroundRequest', 'GroundUpload'), async (req, res) => {
    const t0 = performance.now();
    const body = req.body as S['GroundRequest'];
    checkModel(ctx, body.model);
    const m = ctx.engine.model;
    const prompt = body.raw_prompt ? body.description : groundingRequest(body.description);
    const steps = (body.steps ?? m.layout.sampling.grounding?.steps ?? 1) as 1 | 2 | 4;
    await runJob(ctx, res, 'ground', async (signal) => {
      const { image, decodeMs } = await decodeRequestImage(ctx, requestImageBytes(req.file, body.image));
      const promptTokens = promptLength(m, prompt, image, false);
      checkContext(m, promptTokens, LOC_CANVAS);
      const t1 = performance.now();
      const r = await ctx.engine.ground(image, prompt, { signal, steps });
      ctx.metrics.promptTokens.inc({ task: 'ground' }, promptTokens);
      ctx.metrics.nfe.observe({ task: 'ground' }, steps);
      const t2 = performance.now();
      const out: S['GroundResponse'] = {
        id: randomId('ground'), object: 'ground', created: unixNow(), model: m.id, prompt,
        image: { width: image.width, height: image.height },
        boxes: [{ bbox_2d: r.box, normalized: r.normalized, loc_bins: r.bins, loc_text: locText(r.bins) }],
        usage: { nfe: steps },
        timings: { image_decode_ms: decodeMs, inference_ms: t2 - t1, total_ms: t2 - t0 },
      };
      res.json(out);
    });
  });
  return router;
}
