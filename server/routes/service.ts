// Unauthenticated service endpoints: liveness, readiness (model, device and why), Prometheus metrics, the spec.
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import type { AppContext } from '../context.js';
import { SPEC_TEXT } from '../spec.js';

export function serviceRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' } satisfies components['schemas']['Health']);
  });
  router.get('/readyz', (_req, res) => {
    const s = ctx.engine.status;
    const out: components['schemas']['Readiness'] = {
      status: ctx.state.draining ? 'draining' : 'ready', model: s.model, dtype: s.dtype, device: s.device, provider: s.provider,
      fallback_reason: s.fallbackReason, workers: s.workers, queue_depth: ctx.admission.queueDepth,
    };
    res.status(ctx.state.draining ? 503 : 200).json(out);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(SPEC_TEXT);
  });
  return router;
}
