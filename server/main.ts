// Process entry (`npm start`; `--help` prints the settings): load the model package, serve the app, drain
// gracefully on SIGTERM/SIGINT
// (in-flight requests finish, new ones get 503, then the process exits 0; when the drain timeout passes first,
// the requests still in flight get 503 and it exits 1). The engine is always closed before exiting: exiting
// while an ONNX Runtime thread is inside a run aborts the process (SIGABRT).
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { ShuttingDown } from './admission.js';
import { configFromEnv, type ServerConfig } from './config.js';
import { startFailure } from './start-failure.js';
import { startServer, type RunningServer } from './start.js';
import { usage } from './usage.js';

const ABORTED_GRACE_MS = 2000;

/** Requests not yet answered, so the drain knows when the last one is done. */
function trackInFlight(server: Server): { count: () => number; idle: () => Promise<void> } {
  let inFlight = 0;
  const waiters: Array<() => void> = [];
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) for (const w of waiters.splice(0)) w();
    });
  });
  return {
    count: () => inFlight,
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise((r) => waiters.push(r))),
  };
}

async function main(): Promise<void> {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(usage());
    process.exit(0);
  }
  let config: ServerConfig;
  try {
    config = configFromEnv();
  } catch (e) {
    console.error(`lavida: invalid settings: ${(e as Error).message}`);
    process.exit(1);
  }
  const logger = pino({ level: config.logLevel });
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (e) {
    logger.fatal(startFailure(e, config));
    process.exit(1);
  }
  const { server, ctx } = running;
  const inFlight = trackInFlight(server);
  const drain = async (signal: string): Promise<void> => {
    if (ctx.state.draining) return;
    ctx.state.draining = true;
    logger.info({ signal, inFlight: inFlight.count() }, 'draining');
    const drained = await Promise.race([inFlight.idle().then(() => true), sleep(config.drainTimeoutMs, false)]);
    if (!drained) {
      logger.warn({ inFlight: inFlight.count() }, 'drain timeout; the requests still in flight get 503');
      ctx.state.shutdown.abort(new ShuttingDown());
      // their 503s go out; a request that is not a job (a body still arriving) is cut off with its connection
      await Promise.race([inFlight.idle(), sleep(ABORTED_GRACE_MS)]);
    }
    await running.close();
    logger.info(drained ? 'drained; bye' : 'drain timed out; bye');
    process.exit(drained ? 0 : 1);
  };
  process.once('SIGTERM', () => void drain('SIGTERM'));
  process.once('SIGINT', () => void drain('SIGINT'));
}

await main();
