// Prometheus metrics (one registry per app, so several apps can live in one process, e.g. in tests). The serving
// figures an LLM dashboard expects are named as vLLM names its own (`vllm:time_to_first_token_seconds`):
// `lavida:` and the figure.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolHealth } from './engine/index.js';

export type Task = 'vqa' | 'ground' | 'edit' | 'chat';
export type Outcome = 'ok' | 'error' | 'cancelled' | 'deadline' | 'rejected';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
  queueDepth: Gauge;
  jobs: Counter<'task' | 'outcome'>;
  promptTokens: Counter<'task'>;
  completionTokens: Counter<'task'>;
  nfe: Histogram<'task'>;
  timeToFirstToken: Histogram<'task'>;
}

/** `pool` is read at scrape time: the engine's worker counts are totals since it started (several apps may share it). */
export function createMetrics(pool: () => PoolHealth): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lavida_' });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    requests: new Counter({
      name: 'lavida_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    latency: new Histogram({
      name: 'lavida_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }),
    queueDepth: new Gauge({
      name: 'lavida_queue_depth',
      help: 'Engine jobs admitted and not finished (running or waiting)',
      registers,
    }),
    jobs: new Counter({
      name: 'lavida_jobs_total',
      help: 'Engine jobs by task and outcome (ok, invalid: a client error, rejected: queue full, deadline, cancelled, error)',
      labelNames: ['task', 'outcome'],
      registers,
    }),
    promptTokens: new Counter({
      name: 'lavida_prompt_tokens_total',
      help: 'Prompt tokens (image slots included)',
      labelNames: ['task'],
      registers,
    }),
    completionTokens: new Counter({
      name: 'lavida_completion_tokens_total',
      help: 'Generated tokens up to the first stop token',
      labelNames: ['task'],
      registers,
    }),
    nfe: new Histogram({
      name: 'lavida:request_nfe',
      help: 'Denoising passes (network function evaluations) per request, all its choices together',
      labelNames: ['task'],
      registers,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
    }),
    timeToFirstToken: new Histogram({
      name: 'lavida:time_to_first_token_seconds',
      labelNames: ['task'],
      registers,
      help: "From the request body's arrival to the first denoising pass's output (vqa, chat, edit)",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160],
    }),
  };
  new Gauge({
    name: 'lavida_workers_alive',
    help: 'ONNX Runtime workers alive',
    registers,
    collect() {
      this.set(pool().alive);
    },
  });
  const total = (c: Counter, n: number): void => {
    c.reset();
    c.inc(n);
  };
  new Counter({
    name: 'lavida_worker_crashes_total',
    help: 'ONNX Runtime worker deaths (failed replacements included)',
    registers,
    collect() {
      total(this, pool().crashes);
    },
  });
  new Counter({
    name: 'lavida_worker_restarts_total',
    help: 'ONNX Runtime workers replaced after a crash',
    registers,
    collect() {
      total(this, pool().restarts);
    },
  });
  return metrics;
}
