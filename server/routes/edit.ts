// POST /v1/edit: an instruction → the edited image as PNG or JSON (`response_format`); with `stream`, the plan
// canvas and the VQ canvas after every pass as `step` events, then `result` (JSON).
import type { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { unixNow, type AppContext } from '../context.js';
import { planEdit, type Model, type StepEvent } from '../engine/index.js';
import { randomId } from '../ids.js';
import { requestImageBytes } from '../request-images.js';
import { taskRouter } from './task-route.js';
import { textStep } from './vqa.js';

type S = components['schemas'];

function editStep(m: Model, e: StepEvent, planLength: number, steps: number): S['EditStepEvent'] {
  if (e.phase !== 'image') return textStep(m, e, e.tokens.slice(0, planLength));
  const mask = m.layout.image_mask_token_id;
  const tokens = e.tokens.map((t) => (t === mask ? null : t));
  return { phase: 'image', nfe: e.nfe, steps, committed: tokens.filter((t) => t !== null).length, tokens };
}

export function editRouter(ctx: AppContext): Router {
  return taskRouter<S['EditRequest']>(ctx, {
    task: 'edit',
    schema: 'EditRequest',
    upload: 'EditUpload',
    accept: (body, req, res) => {
      const m = ctx.engine.model;
      const plan = planEdit(m, body.instruction, body);
      const { settings } = plan;
      return {
        plan,
        stream: Boolean(body.stream),
        imageBytes: () => requestImageBytes(req.file, body.image),
        run: async ({ image, signal, stream, onPass }) => {
          const r = await ctx.engine.edit(image, body.instruction, {
            signal,
            settings,
            onStep: (e) => {
              onPass();
              stream?.send('step', editStep(m, e, settings.planLength, settings.image.steps));
            },
          });
          const nfe = settings.planSteps + settings.image.steps; // every scheduled pass runs (steps <= tokens)
          const seed = settings.image.orderSeed ?? 0;
          return {
            nfe,
            send: (timings) => {
              if (!stream && (body.response_format ?? 'png') === 'png') {
                return void res.type('image/png').set('X-Lavida-Seed', String(seed)).send(r.png);
              }
              const out: S['EditResponse'] = {
                id: randomId('edit'),
                object: 'edit',
                created: unixNow(),
                model: m.id,
                plan: r.plan,
                image: {
                  b64_json: r.png.toString('base64'),
                  mime_type: 'image/png',
                  width: r.rgb.width,
                  height: r.rgb.height,
                },
                settings: {
                  steps: settings.image.steps,
                  plan_steps: settings.planSteps,
                  shift: settings.image.shift ?? 5,
                  order: settings.image.order ?? 'stratified',
                  seed,
                },
                usage: { nfe },
                timings: timings(),
              };
              if (!stream) return void res.set('X-Lavida-Seed', String(seed)).json(out);
              stream.send('result', out);
              stream.done();
            },
          };
        },
      };
    },
  });
}
