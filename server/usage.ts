// `npm start -- --help`: what the server does and every setting it reads from the environment (README.md's
// table says the same at more length).
import { DEFAULTS as D } from './config.js';
const SETTINGS: Array<[string, string, string]> = [
  ['PORT, LAVIDA_PORT', String(D.port), 'listening port (LAVIDA_PORT wins)'],
  ['LAVIDA_HOST', 'every interface', 'the address to bind'],
  ['LAVIDA_MODELS_DIR', 'models', 'the folder of model packages'],
  ['LAVIDA_MODEL', 'lavida-r1-tiny', 'the package to serve'],
  ['LAVIDA_DEVICE', 'auto', 'auto (CUDA, else CPU), cuda, cpu or webgpu'],
  [
    'LAVIDA_WORKERS',
    'one per CPU core on the CPU (os.availableParallelism()), else 1',
    'ONNX Runtime worker threads, each with its own running batch',
  ],
  [
    'LAVIDA_INTRA_OP_THREADS',
    String(D.intraOpNumThreads),
    'threads per ONNX Runtime session (0: ONNX Runtime chooses)',
  ],
  [
    'LAVIDA_BATCHING',
    D.batchingMode,
    'continuous (VQA and chat rows join and leave a running batch), lockstep (batches returned together) or none',
  ],
  [
    'LAVIDA_WORKER_HANG_MS',
    String(D.workerHangMs),
    'a graph run slower than this counts as a crash of its worker (0: never)',
  ],
  [
    'LAVIDA_WORKER_MAX_RESTARTS',
    String(D.workerMaxRestarts),
    'crashed workers replaced at most this often within the window',
  ],
  ['LAVIDA_WORKER_RESTART_WINDOW_MS', String(D.workerRestartWindowMs), 'the window of LAVIDA_WORKER_MAX_RESTARTS'],
  ['LAVIDA_API_KEYS', 'none', 'comma-separated keys; when set, /v1/* needs Authorization: Bearer <key>'],
  ['LAVIDA_PROTECT_OPS', '0', '1: /metrics needs a key too and /readyz without one answers its status only'],
  ['LAVIDA_CORS_ORIGINS', 'none', 'comma-separated origins (or *) whose browser pages may call the API'],
  ['LAVIDA_MAX_QUEUE', String(D.maxQueue), 'jobs running or waiting; beyond it 429'],
  ['LAVIDA_DEADLINE_MS', String(D.deadlineMs), 'per request; beyond it 504 and the job is cancelled'],
  ['LAVIDA_MAX_BODY_BYTES', String(D.maxJsonBytes), 'JSON body limit (413)'],
  ['LAVIDA_MAX_UPLOAD_BYTES', String(D.maxUploadBytes), 'uploaded file limit (413)'],
  ['LAVIDA_MAX_PIXELS', String(D.maxPixels), 'decoded pixels per image (413)'],
  ['LAVIDA_MAX_ASPECT_RATIO', String(D.maxAspectRatio), 'longer side / shorter side of an image (422 beyond it)'],
  ['LAVIDA_IMAGE_THREADS', String(D.imageThreads), 'threads that decode and prepare request images'],
  [
    'LAVIDA_DRAIN_TIMEOUT_MS',
    String(D.drainTimeoutMs),
    'SIGTERM: how long in-flight requests may take before the process exits',
  ],
  ['LAVIDA_HEADERS_TIMEOUT_MS', String(D.headersTimeoutMs), 'request headers must arrive within this (else 408)'],
  ['LAVIDA_REQUEST_TIMEOUT_MS', String(D.requestTimeoutMs), 'the whole request, body included, within this (else 408)'],
  ['LAVIDA_KEEP_ALIVE_TIMEOUT_MS', String(D.keepAliveTimeoutMs), 'an idle keep-alive connection is closed after this'],
  ['LAVIDA_LOG_LEVEL', D.logLevel, 'pino log level (fatal, error, warn, info, debug, trace, silent)'],
];

export function usage(): string {
  const width = Math.max(...SETTINGS.map(([name]) => name.length));
  const rows = SETTINGS.map(([name, fallback, what]) => `  ${name.padEnd(width)}  ${what}; default ${fallback}`);
  return [
    'Usage: npm start [-- --help]    (or: node --import tsx server/main.ts)',
    '',
    'Serves a LaViDa-R1 model package over HTTP: the API of openapi.yaml (GET /openapi.yaml, Swagger UI at /docs),',
    '/healthz, /readyz and Prometheus /metrics. Settings come from the environment:',
    '',
    ...rows,
    '',
  ].join('\n');
}
