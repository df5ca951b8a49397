// POST /v1/ground: a description → its box in original-image pixels and normalized, with the raw LOC bins.
import type { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { unixNow, type AppContext } from '../context.js';
import { planGround } from '../engine/index.js';
import { randomId } from '../ids.js';
import { requestImageBytes } from '../request-images.js';
import { taskRouter } from './task-route.js';

type S = components['schemas'];

export const locText = (bins: readonly number[]): string =>
  `<LOC_BEGIN>${bins.map((b) => `<LOC_${b}>`).join('')}<LOC_END>`;

export function groundRouter(ctx: AppContext): Router {
  return taskRouter<S['GroundRequest']>(ctx, {
    task: 'ground',
    schema: 'GroundRequest',
    upload: 'GroundUpload',
    accept: (body, req, res) => {
      const m = ctx.engine.model;
      const plan = planGround(m, body.description, { raw: body.raw_prompt, steps: body.steps });
      return {
        plan,
        stream: false,
        imageBytes: () => requestImageBytes(req.file, body.image),
        run: async ({ image, signal }) => {
          const r = await ctx.engine.ground(image, plan.prompt, { signal, steps: plan.steps });
          return {
            nfe: plan.steps,
            send: (timings) => {
              const out: S['GroundResponse'] = {
                id: randomId('ground'),
                object: 'ground',
                created: unixNow(),
                model: m.id,
                prompt: plan.prompt,
                image: { width: image.width, height: image.height },
                boxes: [{ bbox_2d: r.box, normalized: r.normalized, loc_bins: r.bins, loc_text: locText(r.bins) }],
                usage: { nfe: plan.steps },
                timings: timings(),
              };
              res.json(out);
            },
          };
        },
      };
    },
  });
}
