// What every router gets: the engine, settings, metrics, admission control, the drain flag and the shutdown signal.
import type { Logger } from 'pino';
import type { Admission } from './admission.js';
import type { ServerConfig } from './config.js';
import type { Engine } from './engine/index.js';
import type { Metrics } from './metrics.js';
import { HttpProblem } from './problem.js';

export interface AppContext {
  engine: Engine;
  config: ServerConfig;
  metrics: Metrics;
  admission: Admission;
  logger: Logger;
  state: { draining: boolean; shutdown: AbortController }; // shutdown: aborts every job (the drain timed out)
  created: number; // unix seconds the app was created (the model's `created`)
}

/** A request may name the model; only the served one exists. */
export function checkModel(ctx: AppContext, model: string | undefined): void {
  if (model !== undefined && model !== ctx.engine.status.model) {
    throw new HttpProblem(
      'model-not-found',
      `model ${JSON.stringify(model)} is not served here; this server serves ${ctx.engine.status.model}`,
      { param: 'model' },
    );
  }
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);
