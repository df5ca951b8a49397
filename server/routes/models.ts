// GET /v1/models: the served model, OpenAI-style, with the answer canvases its VQA tasks decode over.
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import type { AppContext } from '../context.js';
import { textSettings } from '../engine/pipelines.js';

export function modelsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const m = ctx.engine.model;
    const canvas = (task?: components['schemas']['VqaTask']): number => textSettings(m, task).genLength;
    const out: components['schemas']['ModelList'] = {
      object: 'list',
      data: [{
        id: ctx.engine.status.model, object: 'model', created: ctx.created, owned_by: 'lavida-r1',
        lavida: { canvases: { math: canvas('math'), chart: canvas('chart'), mcq: canvas('mcq') }, default_canvas: canvas() },
      }],
    };
    res.json(out);
  });
  return router;
}
