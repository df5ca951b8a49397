// POST /v1/vqa: a question about an image → reasoning, answer, text, usage, timings; with `stream`, the
// answer canvas after every denoising pass as `step` events, then `result`.
import { randomInt } from 'node:crypto';
import type { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { unixNow, type AppContext } from '../context.js';
import { planText, type Model, type StepEvent } from '../engine/index.js';
import { randomId } from '../ids.js';
import { completionTokens, reasoningOf, renderCanvas } from '../render.js';
import { requestImageBytes } from '../request-images.js';
import { taskRouter } from './task-route.js';

type S = components['schemas'];

export const textStep = (m: Model, e: StepEvent, tokens = e.tokens): S['TextStepEvent'] => ({
  phase: e.phase === 'plan' ? 'plan' : 'text',
  nfe: e.nfe,
  ...renderCanvas(m, tokens),
});

export function vqaRouter(ctx: AppContext): Router {
  return taskRouter<S['VqaRequest']>(ctx, {
    task: 'vqa',
    schema: 'VqaRequest',
    upload: 'VqaUpload',
    accept: (body, req, res) => {
      const m = ctx.engine.model;
      const plan = planText(m, body.question, body, { task: body.task });
      const { sampling } = plan;
      // sampled answers can be reproduced: the seed drawn here when none was given goes back in a header
      const seed = sampling.temperature ? (body.seed ?? randomInt(2 ** 32)) : undefined;
      if (seed !== undefined) res.set('X-Lavida-Seed', String(seed));
      return {
        plan,
        stream: Boolean(body.stream),
        imageBytes: () => requestImageBytes(req.file, body.image),
        run: async ({ image, signal, stream, onPass }) => {
          const r = await ctx.engine.vqa(image, body.question, {
            signal,
            sampling,
            seed,
            onStep: (e) => {
              onPass();
              stream?.send('step', textStep(m, e));
            },
          });
          const completion = completionTokens(m, r.tokens);
          return {
            nfe: r.nfe,
            completionTokens: completion,
            send: (timings) => {
              const out: S['VqaResponse'] = {
                id: randomId('vqa'),
                object: 'vqa',
                created: unixNow(),
                model: m.id,
                reasoning: reasoningOf(r.text),
                answer: r.answer,
                text: r.text,
                finished: completion < r.tokens.length,
                usage: {
                  prompt_tokens: r.promptTokens,
                  completion_tokens: completion,
                  total_tokens: r.promptTokens + completion,
                  nfe: r.nfe,
                },
                timings: timings(),
              };
              if (!stream) return void res.json(out);
              stream.send('result', out);
              stream.done();
            },
          };
        },
      };
    },
  });
}
