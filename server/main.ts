// Process entry (`npm start`): load the model package, serve the app, drain gracefully on SIGTERM/SIGINT
// (in-flight requests finish, new ones get 503, then the process exits 0).
import type { Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { createApp } from './app.js';
import { configFromEnv, type ServerConfig } from './config.js';
import type { AppContext } from './context.js';
import { Engine } from './engine/engine.js';
import { logWorkerEvent } from './worker-log.js';

async function start(config: ServerConfig, logger: Logger): Promise<{ server: Server; ctx: AppContext; engine: Engine }> {
  const engine = await Engine.load({
    modelsDir: config.modelsDir, modelId: config.modelId, workers: config.workers, intraOpNumThreads: config.intraOpNumThreads,
    restartPolicy: { maxRestarts: config.workerMaxRestarts, windowMs: config.workerRestartWindowMs },
    workerHangMs: config.workerHangMs || undefined,
    log: (line) => logger.info(line), onWorkerEvent: logWorkerEvent(logger),
  });
  const { app, ctx } = createApp({ engine, config, logger });
  const server = config.host ? app.listen(config.port, config.host) : app.listen(config.port);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.port, model: config.modelId,
    provider: engine.status.provider, auth: config.apiKeys.length > 0 }, 'listening');
  return { server, ctx, engine };
}

/** Requests not yet answered, so the drain knows when the last one is done. */
function trackInFlight(server: Server): { count: () => number; idle: () => Promise<void> } {
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) for (const w of waiters.splice(0)) w();
    });
  });
  return { count: () => inFlight, idle: () => (inFlight === 0 ? Promise.resolve() : new Promise((r) => waiters.push(r))) };
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const logger = pino({ level: config.logLevel });
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(config, logger);
  } catch (e) {
    logger.fatal(`cannot serve ${config.modelId} from ${config.modelsDir}: ${(e as Error).message} ` +
      '(set LAVIDA_MODELS_DIR and LAVIDA_MODEL to serve another package)');
    process.exit(1);
  }
  const { server, ctx, engine } = running;
  const inFlight = trackInFlight(server);
  const drain = async (signal: string): Promise<void> => {
    if (ctx.state.draining) return;
    ctx.state.draining = true;
    logger.info({ signal, inFlight: inFlight.count() }, 'draining');
    const timer = setTimeout(() => {
      logger.warn({ inFlight: inFlight.count() }, 'drain timeout; exiting with requests unfinished');
      process.exit(1);
    }, config.drainTimeoutMs);
    await inFlight.idle();
    server.close();
    server.closeAllConnections();
    await engine.close();
    clearTimeout(timer);
    logger.info('drained; bye');
    process.exit(0);
  };
  process.once('SIGTERM', () => void drain('SIGTERM'));
  process.once('SIGINT', () => void drain('SIGINT'));
}

await main();
