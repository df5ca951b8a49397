// The express app factory: the engine is injected (the process entry, server/main.ts, loads it and listens).
// Cross-cutting concerns are middleware; each resource has its own router.
import express, { type Express, type RequestHandler } from 'express';
import { pino, type Logger } from 'pino';
import { Admission } from './admission.js';
import type { ServerConfig } from './config.js';
import { unixNow, type AppContext } from './context.js';
import type { Engine } from './engine/index.js';
import { createMetrics } from './metrics.js';
import { apiKeyAuth } from './middleware/auth.js';
import { cors } from './middleware/cors.js';
import { notFound, problemHandler } from './middleware/errors.js';
import { requestContext } from './middleware/request-context.js';
import { HttpProblem } from './problem.js';
import { chatRouter } from './routes/chat.js';
import { docsRouter } from './routes/docs.js';
import { editRouter } from './routes/edit.js';
import { groundRouter } from './routes/ground.js';
import { modelsRouter } from './routes/models.js';
import { playgroundRouter } from './routes/playground.js';
import { serviceRouter } from './routes/service.js';
import { vqaRouter } from './routes/vqa.js';

export interface AppOptions {
  engine: Engine;
  config: ServerConfig;
  logger?: Logger;
}

export interface LavidaApp {
  app: Express;
  ctx: AppContext;
}

/** While draining (SIGTERM), new work is refused with 503 (retry elsewhere or later) and connections are not kept alive. */
const refuseWhileDraining =
  (ctx: AppContext): RequestHandler =>
  (_req, res, next) => {
    if (!ctx.state.draining) return next();
    res.set('Connection', 'close');
    throw new HttpProblem('unavailable', 'the server is shutting down', {}, { 'Retry-After': '1' });
  };

export function createApp(o: AppOptions): LavidaApp {
  const metrics = createMetrics(() => o.engine.health());
  const ctx: AppContext = {
    engine: o.engine,
    config: o.config,
    metrics,
    logger: o.logger ?? pino({ level: o.config.logLevel }),
    admission: new Admission(o.config.maxQueue, o.engine.status.workers, metrics),
    state: { draining: false, shutdown: new AbortController() },
    created: unixNow(),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(ctx.logger, metrics));
  if (o.config.corsOrigins.length) app.use(cors(o.config.corsOrigins));
  app.use(serviceRouter(ctx));
  app.use(docsRouter());
  app.use(playgroundRouter());
  const v1 = express.Router();
  v1.use(refuseWhileDraining(ctx));
  if (o.config.apiKeys.length) v1.use(apiKeyAuth(o.config.apiKeys));
  v1.use('/vqa', vqaRouter(ctx));
  v1.use('/ground', groundRouter(ctx));
  v1.use('/edit', editRouter(ctx));
  v1.use('/chat/completions', chatRouter(ctx));
  v1.use('/models', modelsRouter(ctx));
  app.use('/v1', v1);
  app.use(notFound);
  app.use(problemHandler);
  return { app, ctx };
}
