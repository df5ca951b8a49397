// POST /v1/edit: an instruction → the edited image as PNG or JSON (`response_format`); with `stream`, the plan
// canvas after every pass and a decoded preview every `preview_every` image passes as `step` events, then `result`
// (JSON).
import type { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { unixNow, type AppContext } from '../context.js';
import { planEdit, type Model, type StepEvent } from '../engine/index.js';
import { randomId } from '../ids.js';
import { requestImageBytes } from '../request-images.js';
import { taskRouter } from './task-route.js';
import { textStep } from './vqa.js';

type S = components['schemas'];

/** The event of a pass, if it sends one: every plan pass, the image passes with a preview. */
function editStep(m: Model, e: StepEvent, planLength: number, steps: number): S['EditStepEvent'] | undefined {
  if (e.phase !== 'image') return textStep(m, e, e.tokens.slice(0, planLength));
  if (!e.preview) return undefined;
  const mask = m.layout.image_mask_token_id;
  const { png, width, height } = e.preview;
  return {
    phase: 'image',
    nfe: e.nfe,
    steps,
    committed: e.tokens.filter((t) => t !== mask).length,
    image: { url: `data:image/png;base64,${png.toString('base64')}`, width, height },
  };
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
              const event = stream && editStep(m, e, settings.planLength, settings.image.steps);
              if (event) stream!.send('step', event);
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
                  guidance_scale: settings.guidance.text,
                  image_guidance_scale: settings.guidance.image,
                  preview_every: settings.previewEvery,
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
