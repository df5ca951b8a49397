// A real server on 127.0.0.1 for the tests: the shared engine (1 worker, 1 intra-op thread) under an app with
// test settings. The package: models/lavida-r1-tiny, else $LAVIDA_TEST_PACKAGE, else /tmp/dev-package.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../../server/app.js';
import { DEFAULTS, ROOT, type ServerConfig } from '../../server/config.js';
import type { AppContext } from '../../server/context.js';
import { Engine } from '../../server/engine/engine.js';

const candidates = [join(ROOT, 'models/lavida-r1-tiny'), process.env.LAVIDA_TEST_PACKAGE, '/tmp/dev-package'];
export const PACKAGE_DIR = candidates.find((d): d is string => !!d && existsSync(join(d, 'manifest.json')));
/** A reason to skip, or false. */
export const NO_PACKAGE = PACKAGE_DIR ? false
  : 'no model package: models/lavida-r1-tiny is missing, LAVIDA_TEST_PACKAGE is unset and /tmp/dev-package does not exist';

export const testConfig = (over: Partial<ServerConfig> = {}): ServerConfig => ({
  ...DEFAULTS, modelsDir: dirname(PACKAGE_DIR ?? '.'), modelId: basename(PACKAGE_DIR ?? ''), logLevel: 'silent', ...over,
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

export async function startServer(over: Partial<ServerConfig> = {}): Promise<TestServer> {
  const { app, ctx } = createApp({ engine: await sharedEngine(), config: testConfig(over), logger: pino({ level: 'silent' }) });
  const server = app.listen(0, '127.0.0.1');
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
