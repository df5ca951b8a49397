// A real server on 127.0.0.1 for the tests: the shared engine (1 worker, 1 intra-op thread) under an app with
// test settings, on the test package (test/package.ts); `useServer()` gives a suite one.
import { after, before } from 'node:test';
import { pino } from 'pino';
import { DEFAULTS, type ServerConfig } from '../../server/config.js';
import type { AppContext } from '../../server/context.js';
import { Engine } from '../../server/engine/engine.js';
import { startServer as serve } from '../../server/start.js';
import { MODEL_ID, MODELS_DIR } from '../package.js';

export { NO_PACKAGE, PACKAGE_DIR } from '../package.js';

export const testConfig = (over: Partial<ServerConfig> = {}): ServerConfig => ({
  ...DEFAULTS,
  modelsDir: MODELS_DIR,
  modelId: MODEL_ID,
  logLevel: 'silent',
  ...over,
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

/** A server (server/start.ts, as `npm start` starts it) on 127.0.0.1 and a free port, with test settings, on the
 *  shared engine, or on `engine` (a test that breaks its engine brings its own). */
export async function startServer(over: Partial<ServerConfig> = {}, engine?: Engine): Promise<TestServer> {
  const config = testConfig({ ...over, host: '127.0.0.1', port: 0 });
  const running = await serve(config, pino({ level: 'silent' }), { engine: engine ?? (await sharedEngine()) });
  return { url: `http://127.0.0.1:${running.port}`, ctx: running.ctx, close: running.close };
}

/** The enclosing suite's server: started on the shared engine (with `over`) by a `before` hook, then closed with
 *  the shared engine by an `after` hook. Its fields are set once that `before` hook has run. */
export function useServer(over: Partial<ServerConfig> = {}): TestServer {
  const srv = {} as TestServer;
  before(async () => {
    Object.assign(srv, await startServer(over));
  });
  after(async () => {
    await srv.close?.();
    await closeEngine();
  });
  return srv;
}
