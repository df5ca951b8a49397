// `--embedded`: the server in this process on 127.0.0.1 and a free port, stopped when the run ends; started as
// `npm start` starts it (server/start.ts), so its workers have the same restart policy and hang watchdog.
// Loaded lazily so `--server URL` runs never load ONNX Runtime.
import { join } from 'node:path';
import type { RunningServer } from '../../server/start.js';
import { UserError } from '../errors.js';

export interface EmbeddedServer extends RunningServer {
  url: string;
  model: string;
  /** The package folder the server loaded. */
  packageDir: string;
}

export interface EmbeddedOptions {
  /** Package id under modelsDir; default LAVIDA_MODEL, else lavida-r1-tiny. */
  model?: string;
  /** Default LAVIDA_MODELS_DIR, else <repo>/models. */
  modelsDir?: string;
}

export async function startEmbedded(o: EmbeddedOptions): Promise<EmbeddedServer> {
  const [{ startServer }, { configFromEnv }, { pino }] = await Promise.all([
    import('../../server/start.js'),
    import('../../server/config.js'),
    import('pino'),
  ]);
  // the LAVIDA_* settings apply as for `npm start` (workers and threads, worker restarts and the hang watchdog, queue
  // and deadlines), but for the address and the log level
  const env = configFromEnv();
  const config = {
    ...env,
    modelId: o.model ?? env.modelId,
    modelsDir: o.modelsDir ?? env.modelsDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
  };
  // request logs would bury the progress bar: warnings only (worker crashes among them), on stderr; the engine's
  // start-up lines (its provider) as warnings too
  const logger = pino({ level: 'warn' }, pino.destination(2));
  let running: RunningServer;
  try {
    running = await startServer(config, logger, { engineLog: (line) => logger.warn(line) });
  } catch (e) {
    throw new UserError(
      `cannot load model ${config.modelId} from ${config.modelsDir}: ${(e as Error).message} (use --model and --models-dir)`,
    );
  }
  return {
    ...running,
    url: `http://127.0.0.1:${running.port}`,
    model: config.modelId,
    packageDir: join(config.modelsDir, config.modelId),
  };
}
