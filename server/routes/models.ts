// GET /v1/models: the served model, OpenAI-style.
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import type { AppContext } from '../context.js';

export function modelsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const out: components['schemas']['ModelList'] = {
      object: 'list', data: [{ id: ctx.engine.status.model, object: 'model', created: ctx.created, owned_by: 'lavida-r1' }],
    };
    res.json(out);
  });
  return router;
}
