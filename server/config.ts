// Server settings from the environment (every knob has a safe default; `npm start` needs none).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BATCHING_MODES, isBatchingMode, type BatchingMode } from './engine/index.js';

export interface ServerConfig {
  port: number;
  host: string | undefined; // undefined: every interface
  modelsDir: string;
  modelId: string;
  workers: number | undefined; // undefined: the engine's default (one per CPU core on the CPU, else 1)
  intraOpNumThreads: number;
  batchingMode: BatchingMode; // continuous (the default), lockstep or none (engine/batching-mode.ts)
  workerMaxRestarts: number; // crashed ONNX Runtime workers replaced at most this often within workerRestartWindowMs
  workerRestartWindowMs: number;
  workerHangMs: number; // a graph run slower than this counts as a crash of its worker (0: never)
  apiKeys: string[]; // empty: no authentication
  protectOps: boolean; // /metrics and the detailed /readyz need a key too (/readyz without one: status only)
  corsOrigins: string[]; // origins whose browser pages may call the API ('*': any); empty: no CORS headers
  maxJsonBytes: number; // JSON bodies (base64 images included)
  maxUploadBytes: number; // one multipart file
  maxPixels: number; // decoded width * height (decompression bombs)
  maxAspectRatio: number; // longer side / shorter side of an image
  imageThreads: number; // threads decoding and preparing request images
  maxQueue: number; // engine jobs admitted at once (running or waiting); beyond it: 429
  deadlineMs: number; // per request; beyond it: 504 and the job is cancelled
  drainTimeoutMs: number; // SIGTERM: how long in-flight requests may take before the process exits anyway
  headersTimeoutMs: number; // slow clients: the request headers must arrive within this
  requestTimeoutMs: number; // the whole request (headers and body; not the response) within this
  keepAliveTimeoutMs: number; // an idle keep-alive connection is closed after this
  logLevel: string;
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULTS: Omit<ServerConfig, 'modelsDir' | 'modelId'> = {
  port: 8080,
  host: undefined,
  workers: undefined,
  intraOpNumThreads: 1,
  batchingMode: 'continuous',
  workerMaxRestarts: 5,
  workerRestartWindowMs: 60_000,
  workerHangMs: 60_000,
  apiKeys: [],
  protectOps: false,
  corsOrigins: [],
  maxJsonBytes: 20 << 20,
  maxUploadBytes: 15 << 20,
  maxPixels: 25_000_000,
  maxAspectRatio: 50,
  imageThreads: 1,
  maxQueue: 64,
  deadlineMs: 120_000,
  drainTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  logLevel: 'info',
};

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

/** Comma-separated keys; a variable that is set but yields no key is refused, as it would silently turn auth off. */
function apiKeys(env: NodeJS.ProcessEnv): string[] {
  const raw = env.LAVIDA_API_KEYS;
  const keys = (raw ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (raw !== undefined && raw !== '' && keys.length === 0) {
    throw new Error(
      `LAVIDA_API_KEYS is set (${JSON.stringify(raw)}) but holds no key; unset it to serve without authentication`,
    );
  }
  return keys;
}

function batchingMode(env: NodeJS.ProcessEnv): BatchingMode {
  const raw = (env.LAVIDA_BATCHING ?? '').trim();
  if (raw === '') return DEFAULTS.batchingMode;
  if (!isBatchingMode(raw))
    throw new Error(
      `LAVIDA_BATCHING must be one of ${BATCHING_MODES.join(', ')}, got ${JSON.stringify(env.LAVIDA_BATCHING)}`,
    );
  return raw;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be true or false (1/0, yes/no), got ${JSON.stringify(env[name])}`);
}

/** Protecting the operations endpoints with no key configured would protect nothing: refused. */
function protectOps(env: NodeJS.ProcessEnv, keys: string[]): boolean {
  const on = flag(env, 'LAVIDA_PROTECT_OPS', DEFAULTS.protectOps);
  if (on && keys.length === 0)
    throw new Error('LAVIDA_PROTECT_OPS needs LAVIDA_API_KEYS (the keys that open /metrics and /readyz details)');
  return on;
}

/** Comma-separated origins (scheme://host[:port], as browsers send them in Origin) or `*`; anything else refused
 *  (a path, a trailing slash, a wildcard subdomain, which would silently match nothing). */
function corsOrigins(env: NodeJS.ProcessEnv): string[] {
  const origins = (env.LAVIDA_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (origin !== '*' && (origin.includes('*') || parsed?.origin !== origin)) {
      throw new Error(
        `LAVIDA_CORS_ORIGINS holds ${JSON.stringify(origin)}, not an origin such as https://app.example.com or *`,
      );
    }
  }
  return origins;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const headersTimeoutMs = int(env, 'LAVIDA_HEADERS_TIMEOUT_MS', DEFAULTS.headersTimeoutMs, 1);
  const requestTimeoutMs = int(env, 'LAVIDA_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 1);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error(
      `LAVIDA_REQUEST_TIMEOUT_MS (${requestTimeoutMs}) must be at least LAVIDA_HEADERS_TIMEOUT_MS (${headersTimeoutMs})`,
    );
  }
  const keys = apiKeys(env);
  return {
    port: int(env, 'LAVIDA_PORT', int(env, 'PORT', DEFAULTS.port)),
    host: env.LAVIDA_HOST || undefined,
    modelsDir: resolve(env.LAVIDA_MODELS_DIR || join(ROOT, 'models')),
    modelId: env.LAVIDA_MODEL || 'lavida-r1-tiny',
    workers: env.LAVIDA_WORKERS ? int(env, 'LAVIDA_WORKERS', 1, 1) : DEFAULTS.workers,
    intraOpNumThreads: int(env, 'LAVIDA_INTRA_OP_THREADS', DEFAULTS.intraOpNumThreads),
    batchingMode: batchingMode(env),
    workerMaxRestarts: int(env, 'LAVIDA_WORKER_MAX_RESTARTS', DEFAULTS.workerMaxRestarts),
    workerRestartWindowMs: int(env, 'LAVIDA_WORKER_RESTART_WINDOW_MS', DEFAULTS.workerRestartWindowMs, 1),
    workerHangMs: int(env, 'LAVIDA_WORKER_HANG_MS', DEFAULTS.workerHangMs),
    apiKeys: keys,
    protectOps: protectOps(env, keys),
    corsOrigins: corsOrigins(env),
    maxJsonBytes: int(env, 'LAVIDA_MAX_BODY_BYTES', DEFAULTS.maxJsonBytes, 1),
    maxUploadBytes: int(env, 'LAVIDA_MAX_UPLOAD_BYTES', DEFAULTS.maxUploadBytes, 1),
    maxPixels: int(env, 'LAVIDA_MAX_PIXELS', DEFAULTS.maxPixels, 1),
    maxAspectRatio: int(env, 'LAVIDA_MAX_ASPECT_RATIO', DEFAULTS.maxAspectRatio, 1),
    imageThreads: int(env, 'LAVIDA_IMAGE_THREADS', DEFAULTS.imageThreads, 1),
    maxQueue: int(env, 'LAVIDA_MAX_QUEUE', DEFAULTS.maxQueue, 1),
    deadlineMs: int(env, 'LAVIDA_DEADLINE_MS', DEFAULTS.deadlineMs, 1),
    drainTimeoutMs: int(env, 'LAVIDA_DRAIN_TIMEOUT_MS', DEFAULTS.drainTimeoutMs, 0),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: int(env, 'LAVIDA_KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs, 1),
    logLevel: env.LAVIDA_LOG_LEVEL || DEFAULTS.logLevel,
  };
}
