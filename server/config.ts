// Server settings from the environment (every knob has a safe default; `npm start` needs none).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServerConfig {
  port: number;
  host: string | undefined; // undefined: every interface
  modelsDir: string;
  modelId: string;
  workers: number;
  intraOpNumThreads: number;
  workerMaxRestarts: number; // crashed ONNX Runtime workers replaced at most this often within workerRestartWindowMs
  workerRestartWindowMs: number;
  workerHangMs: number; // a graph run slower than this counts as a crash of its worker (0: never)
  apiKeys: string[]; // empty: no authentication
  maxJsonBytes: number; // JSON bodies (base64 images included)
  maxUploadBytes: number; // one multipart file
  maxPixels: number; // decoded width * height (decompression bombs)
  maxQueue: number; // engine jobs admitted at once (running or waiting); beyond it: 429
  deadlineMs: number; // per request; beyond it: 504 and the job is cancelled
  drainTimeoutMs: number; // SIGTERM: how long in-flight requests may take before the process exits anyway
  logLevel: string;
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULTS: Omit<ServerConfig, 'modelsDir' | 'modelId'> = {
  port: 8080, host: undefined, workers: 1, intraOpNumThreads: 1, workerMaxRestarts: 5, workerRestartWindowMs: 60_000, workerHangMs: 60_000,
  apiKeys: [],
  maxJsonBytes: 20 << 20, maxUploadBytes: 15 << 20, maxPixels: 25_000_000,
  maxQueue: 64, deadlineMs: 120_000, drainTimeoutMs: 30_000, logLevel: 'info',
};

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: int(env, 'LAVIDA_PORT', int(env, 'PORT', DEFAULTS.port)),
    host: env.LAVIDA_HOST || undefined,
    modelsDir: resolve(env.LAVIDA_MODELS_DIR || join(ROOT, 'models')),
    modelId: env.LAVIDA_MODEL || 'lavida-r1-tiny',
    workers: int(env, 'LAVIDA_WORKERS', DEFAULTS.workers, 1),
    intraOpNumThreads: int(env, 'LAVIDA_INTRA_OP_THREADS', DEFAULTS.intraOpNumThreads),
    workerMaxRestarts: int(env, 'LAVIDA_WORKER_MAX_RESTARTS', DEFAULTS.workerMaxRestarts),
    workerRestartWindowMs: int(env, 'LAVIDA_WORKER_RESTART_WINDOW_MS', DEFAULTS.workerRestartWindowMs, 1),
    workerHangMs: int(env, 'LAVIDA_WORKER_HANG_MS', DEFAULTS.workerHangMs),
    apiKeys: (env.LAVIDA_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    maxJsonBytes: int(env, 'LAVIDA_MAX_BODY_BYTES', DEFAULTS.maxJsonBytes, 1),
    maxUploadBytes: int(env, 'LAVIDA_MAX_UPLOAD_BYTES', DEFAULTS.maxUploadBytes, 1),
    maxPixels: int(env, 'LAVIDA_MAX_PIXELS', DEFAULTS.maxPixels, 1),
    maxQueue: int(env, 'LAVIDA_MAX_QUEUE', DEFAULTS.maxQueue, 1),
    deadlineMs: int(env, 'LAVIDA_DEADLINE_MS', DEFAULTS.deadlineMs, 1),
    drainTimeoutMs: int(env, 'LAVIDA_DRAIN_TIMEOUT_MS', DEFAULTS.drainTimeoutMs, 0),
    logLevel: env.LAVIDA_LOG_LEVEL || DEFAULTS.logLevel,
  };
}
