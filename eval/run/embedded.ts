// `--embedded`: the server in this process on 127.0.0.1 and a free port, stopped when the run ends.
// Loaded lazily so `--server URL` runs never load ONNX Runtime.
import type { Server } from 'node:http';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export interface EmbeddedServer {
  url: string;
  model: string;
  /** The package folder the server loaded. */
  packageDir: string;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Package id under modelsDir; default LAVIDA_MODEL, else lavida-r1-tiny. */
  model?: string;
  /** Default LAVIDA_MODELS_DIR, else <repo>/models. */
  modelsDir?: string;
}

export async function startEmbedded(o: EmbeddedOptions): Promise<EmbeddedServer> {
  const [{ createApp }, { configFromEnv }, { Engine }, { pino }] = await Promise.all([
    import('../../server/app.js'), import('../../server/config.js'), import('../../server/engine/engine.js'), import('pino'),
  ]);
  // LAVIDA_WORKERS, LAVIDA_INTRA_OP_THREADS, queue and deadline settings apply as for `npm start`
  const env = configFromEnv();
  const config = { ...env, modelId: o.model ?? env.modelId, modelsDir: o.modelsDir ?? env.modelsDir, logLevel: 'warn' };
  // request logs would bury the progress bar: warnings only, on stderr
  const logger = pino({ level: 'warn' }, pino.destination(2));
  let engine: Awaited<ReturnType<typeof Engine.load>>;
  try {
    engine = await Engine.load({
      modelsDir: config.modelsDir, modelId: config.modelId, workers: config.workers,
      intraOpNumThreads: config.intraOpNumThreads, imageThreads: config.imageThreads, log: (line) => logger.warn(line),
    });
  } catch (e) {
    throw new UserError(`cannot load model ${config.modelId} from ${config.modelsDir}: ${(e as Error).message} (use --model and --models-dir)`);
  }
  const { app } = createApp({ engine, config, logger });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    model: config.modelId,
    packageDir: join(config.modelsDir, config.modelId),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}
