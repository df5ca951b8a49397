// A real server on 127.0.0.1 for the tests: the shared engine (1 worker, 1 intra-op thread) under an app with
// test settings, on the test package (test/package.ts).
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../server/app.js';
import { DEFAULTS, type ServerConfig } from '../../server/config.js';
import type { AppContext } from '../../server/context.js';
import { Engine } from '../../server/engine/engine.js';
import { httpServer } from '../../server/http-server.js';
import { MODEL_ID, MODELS_DIR } from '../package.js';

export { NO_PACKAGE, PACKAGE_DIR } from '../package.js';

export const testConfig = (over: Partial<ServerConfig> = {}): ServerConfig => ({
  ...DEFAULTS, modelsDir: MODELS_DIR, modelId: MODEL_ID, logLevel: 'silent', ...over,
});

let engine: Promise<Engine> | undefined;

/** One engine per test process (each test file runs in its own). */
export function sharedEngine(): Promise<Engine> {
  engine ??= Engine.load({ ...testConfig(), workers: 1, intraOpNumThreads: 1, log: () => {} });
  return engine;
}

export async function closeEngine(): Promise<void> {
  if (engine) await (await engine).close();
  engine = undefined;
}

export interface TestServer {
  url: string;
  ctx: AppContext;
  close(): Promise<void>;
}

/** A server on the shared engine, or on `engine` (a test that breaks its engine brings its own). */
export async function startServer(over: Partial<ServerConfig> = {}, engine?: Engine): Promise<TestServer> {
  const config = testConfig(over);
  const { app, ctx } = createApp({ engine: engine ?? await sharedEngine(), config, logger: pino({ level: 'silent' }) });
  const server = httpServer(app, config).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, ctx,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
