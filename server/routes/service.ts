// Service endpoints: liveness, readiness (model, device and why; workers alive and why not), Prometheus
// metrics, the spec. Open, except with LAVIDA_PROTECT_OPS: then /metrics needs a key and /readyz without one
// answers its status only (what a load balancer's probe needs), so the deployment's details stay private.
import { Router, type RequestHandler } from 'express';
import type { components } from '../../sdk/schema.js';
import type { AppContext } from '../context.js';
import { apiKeyAuth, keyCheck } from '../middleware/auth.js';
import { SPEC_TEXT } from '../spec.js';

export function serviceRouter(ctx: AppContext): Router {
  const router = Router();
  const protect = ctx.config.protectOps;
  const hasKey = keyCheck(ctx.config.apiKeys);
  const open: RequestHandler = (_req, _res, next) => next();
  // Liveness fails only when the worker pool gave up restarting: then only a process restart can recover.
  router.get('/healthz', (_req, res) => {
    const h = ctx.engine.health();
    const body: components['schemas']['Health'] =
      h.gaveUp && h.alive === 0 ? { status: 'failed', reason: h.reason } : { status: 'ok' };
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  router.get('/readyz', (req, res) => {
    const s = ctx.engine.status;
    const h = ctx.engine.health();
    const status = ctx.state.draining ? 'draining' : h.alive > 0 ? 'ready' : 'not_ready';
    if (protect && !hasKey(req)) {
      const brief: components['schemas']['ReadinessBrief'] = { status };
      res.status(status === 'ready' ? 200 : 503).json(brief);
      return;
    }
    const out: components['schemas']['Readiness'] = {
      status,
      model: s.model,
      dtype: s.dtype,
      device: s.device,
      provider: s.provider,
      fallback_reason: s.fallbackReason,
      workers: s.workers,
      workers_alive: h.alive,
      worker_restarts: h.restarts,
      reason: h.reason,
      queue_depth: ctx.admission.queueDepth,
    };
    res.status(status === 'ready' ? 200 : 503).json(out);
  });
  router.get('/metrics', protect ? apiKeyAuth(ctx.config.apiKeys) : open, async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(SPEC_TEXT);
  });
  return router;
}
