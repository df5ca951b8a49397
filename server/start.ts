// Starting a server, the one way `npm start` (main.ts), `lavida-eval run --embedded` and the tests do it: the
// engine under the settings' worker restart policy and hang watchdog, its worker events logged, the app behind the
// HTTP server (slow-client timeouts) listening on the settings' address.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import type { AppContext } from './context.js';
import { batchingOptions, Engine, type EngineOptions } from './engine/index.js';
import { httpServer } from './http-server.js';
import { logWorkerEvent } from './worker-log.js';

export interface StartOptions {
  /** Serve this engine, loaded already (its owner closes it), instead of loading the settings' package. */
  engine?: Engine;
  /** Where the engine's start-up lines go (default: the logger, at info). */
  engineLog?: (line: string) => void;
}

export interface RunningServer {
  server: Server;
  ctx: AppContext;
  /** The port listened on: the settings' own, or the one chosen for port 0. */
  port: number;
  /** Stops at once: no new connection, the open ones cut, then the engine closed when it was loaded here. */
  close(): Promise<void>;
}

/** The engine the settings ask for: package, threads, batching, worker restart policy, hang watchdog, worker events
 *  logged. */
export function engineOptions(
  c: ServerConfig,
  logger: Logger,
  log = (line: string) => logger.info(line),
): EngineOptions {
  return {
    modelsDir: c.modelsDir,
    modelId: c.modelId,
    workers: c.workers,
    intraOpNumThreads: c.intraOpNumThreads,
    ...batchingOptions(c.batchingMode),
    imageThreads: c.imageThreads,
    restartPolicy: { maxRestarts: c.workerMaxRestarts, windowMs: c.workerRestartWindowMs },
    workerHangMs: c.workerHangMs || undefined,
    log,
    onWorkerEvent: logWorkerEvent(logger),
  };
}

function listen(server: Server, c: ServerConfig): Promise<void> {
  if (c.host) server.listen(c.port, c.host);
  else server.listen(c.port);
  return new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
}

export async function startServer(config: ServerConfig, logger: Logger, o: StartOptions = {}): Promise<RunningServer> {
  const engine = o.engine ?? (await Engine.load(engineOptions(config, logger, o.engineLog)));
  const closeEngine = async (): Promise<void> => {
    if (!o.engine) await engine.close();
  };
  const { app, ctx } = createApp({ engine, config, logger });
  const server = httpServer(app, config);
  try {
    await listen(server, config);
  } catch (e) {
    await closeEngine();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  logger.info(
    {
      port,
      model: config.modelId,
      provider: engine.status.provider,
      batching: config.batchingMode,
      auth: config.apiKeys.length > 0,
    },
    'listening',
  );
  return {
    server,
    ctx,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await closeEngine();
    },
  };
}
