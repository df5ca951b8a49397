// GET /v1/models and /v1/models/{model}: the served model, OpenAI-style, with the answer canvases its VQA tasks
// decode over; any other id is a 404.
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, type AppContext } from '../context.js';
import { textSettings } from '../engine/index.js';

type S = components['schemas'];

function servedModel(ctx: AppContext): S['Model'] {
  const m = ctx.engine.model;
  const canvas = (task?: S['VqaTask']): number => textSettings(m, task).genLength;
  return {
    id: ctx.engine.status.model,
    object: 'model',
    created: ctx.created,
    owned_by: 'lavida-r1',
    lavida: {
      canvases: { math: canvas('math'), chart: canvas('chart'), mcq: canvas('mcq') },
      default_canvas: canvas(),
    },
  };
}

export function modelsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const out: S['ModelList'] = { object: 'list', data: [servedModel(ctx)] };
    res.json(out);
  });
  router.get('/:model', (req, res) => {
    checkModel(ctx, req.params.model);
    res.json(servedModel(ctx));
  });
  return router;
}
