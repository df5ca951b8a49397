// An ONNX Runtime worker thread: owns the sessions of one package (session.run blocks its thread, not the
// server's event loop) and the prompt caches of the jobs assigned to it.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { GraphName } from '../package/manifest.js';
import { backboneGraph } from './backbone-graph.js';
import { appendPresent, joinMask, sliceCache, type StoredCache } from './cache-store.js';
import type { CacheRef, Feeds, InitResult, Request, Response, RunResult, TensorData } from './protocol.js';
import { transferables } from './protocol.js';
import { createSessions, type Sessions } from './sessions.js';

if (!parentPort) throw new Error('worker.ts runs as a worker thread');
const port = parentPort;
let state: Sessions | undefined;
const caches = new Map<string, StoredCache>();

// Rows of a cache that passes run while the other rows wait (e.g. rows whose block is decoded), kept until the
// cache changes: a block's later passes reuse the same cut.
const selections = new Map<string, { rows: string; cache: StoredCache }>();

function stored(key: string, rows?: number[]): StoredCache {
  const c = caches.get(key);
  if (!c) throw new Error(`no cache ${key}`);
  if (!rows) return c;
  const hit = selections.get(key);
  if (hit?.rows === rows.join(',')) return hit.cache;
  const cut = sliceCache(c, rows);
  selections.set(key, { rows: rows.join(','), cache: cut });
  return cut;
}

function keep(key: string, c: StoredCache | undefined): void {
  selections.delete(key);
  if (c) caches.set(key, c);
  else caches.delete(key);
}

function session(graph: GraphName): ort.InferenceSession {
  const s = state?.sessions[graph];
  if (!s) throw new Error(`graph ${graph} is not loaded`);
  return s;
}

async function run(graph: GraphName, feeds: Feeds, fetches: string[], cache: CacheRef = {}): Promise<RunResult> {
  const s = session(graph === 'backbone' ? backboneGraph(feeds, state?.sessions ?? {}) : graph);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
  if (cache.extend !== undefined && cache.rows !== undefined) throw new Error('extend runs every row of the cache');
  const used = cache.use !== undefined ? stored(cache.use, cache.rows) : undefined;
  if (used) {
    const current = feeds.attention_mask!;
    Object.assign(inputs, { past_keys: used.keys, past_values: used.values, past_gen_mask: used.genMask });
    inputs.attention_mask = joinMask(used, current.data as BigInt64Array, current.dims[1]!);
  }
  const declared = new Set(s.inputNames);
  for (const name of Object.keys(inputs)) if (!declared.has(name)) delete inputs[name]; // e.g. past_gen_mask
  const presents = cache.store !== undefined || cache.extend !== undefined;
  const wanted = presents ? [...new Set([...fetches, 'present_keys', 'present_values', 'present_gen_mask'])] : fetches;
  const out = await s.run(inputs, wanted);
  if (cache.extend !== undefined) {
    const current = feeds.attention_mask!.data as BigInt64Array;
    if (!used) throw new Error('extend needs the cache it extends (use)');
    keep(cache.extend.key, appendPresent(used, out.present_keys!, out.present_values!, out.present_gen_mask!, current, cache.extend.hide));
  }
  if (cache.store !== undefined) {
    const mask = feeds.attention_mask!;
    keep(cache.store, {
      keys: out.present_keys!, values: out.present_values!, genMask: out.present_gen_mask!,
      mask: mask.data as BigInt64Array, batch: mask.dims[0]!, past: mask.dims[1]!,
    });
  }
  const result: RunResult = {};
  for (const name of fetches) {
    const t = out[name]!;
    const kept = cache.store !== undefined && name.startsWith('present_'); // stays in the cache: send a copy
    const data = t.data as TensorData['data'];
    result[name] = { type: t.type as TensorData['type'], data: kept ? data.slice() : data, dims: [...t.dims] };
  }
  return result;
}

let exitAfterRun: number | null = null;

async function handle(req: Exclude<Request, { op: 'exit' }>): Promise<unknown> {
  switch (req.op) {
    case 'init': {
      state = await createSessions(req.settings);
      const inputs: InitResult['inputs'] = {};
      for (const [g, s] of Object.entries(state.sessions)) inputs[g as GraphName] = [...s.inputNames];
      return { provider: state.provider, fallbackReason: state.fallbackReason, inputs } satisfies InitResult;
    }
    case 'run':
      return run(req.graph, req.feeds, req.fetches, req.cache);
    case 'slice': {
      keep(req.cache, sliceCache(stored(req.cache), req.rows));
      return null;
    }
    case 'drop':
      keep(req.cache, undefined);
      return null;
  }
}

port.on('message', (msg: { id: number; req: Request }) => {
  const req = msg.req;
  if (req.op === 'exit') {
    if (req.afterNextRun) exitAfterRun = req.code;
    else process.exit(req.code); // ends this thread only
    return;
  }
  handle(req).then(
    (result) => {
      if (req.op === 'run' && exitAfterRun !== null) process.exit(exitAfterRun);
      const tensors = result && msg.req.op === 'run' ? Object.values(result as RunResult) : [];
      port.postMessage({ id: msg.id, ok: true, result } satisfies Response, transferables(tensors));
    },
    (e: Error & { code?: string }) => {
      port.postMessage({ id: msg.id, ok: false, error: { name: e.name, message: e.message, code: e.code } } satisfies Response);
    },
  );
});
