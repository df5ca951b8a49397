// An ONNX Runtime worker thread: owns the sessions of one package (session.run blocks its thread, not the
// server's event loop) and the prompt caches of the jobs assigned to it.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { GraphName } from '../package/manifest.js';
import { joinMask, sliceCache, type StoredCache } from './cache-store.js';
import type { CacheRef, Feeds, InitResult, Request, Response, RunResult, TensorData } from './protocol.js';
import { transferables } from './protocol.js';
import { createSessions, type Sessions } from './sessions.js';

if (!parentPort) throw new Error('worker.ts runs as a worker thread');
const port = parentPort;
let state: Sessions | undefined;
const caches = new Map<string, StoredCache>();

function session(graph: GraphName): ort.InferenceSession {
  const s = state?.sessions[graph];
  if (!s) throw new Error(`graph ${graph} is not loaded`);
  return s;
}

async function run(graph: GraphName, feeds: Feeds, fetches: string[], cache: CacheRef = {}): Promise<RunResult> {
  const s = session(graph);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
  if (cache.use !== undefined) {
    const c = caches.get(cache.use);
    if (!c) throw new Error(`no cache ${cache.use}`);
    const current = feeds.attention_mask!;
    Object.assign(inputs, { past_keys: c.keys, past_values: c.values, past_gen_mask: c.genMask });
    inputs.attention_mask = joinMask(c, current.data as BigInt64Array, current.dims[1]!);
  }
  const declared = new Set(s.inputNames);
  for (const name of Object.keys(inputs)) if (!declared.has(name)) delete inputs[name]; // e.g. past_gen_mask
  const wanted = cache.store !== undefined ? [...new Set([...fetches, 'present_keys', 'present_values', 'present_gen_mask'])] : fetches;
  const out = await s.run(inputs, wanted);
  if (cache.store !== undefined) {
    const mask = feeds.attention_mask!;
    caches.set(cache.store, {
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

async function handle(req: Request): Promise<unknown> {
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
      const c = caches.get(req.cache);
      if (!c) throw new Error(`no cache ${req.cache}`);
      caches.set(req.cache, sliceCache(c, req.rows));
      return null;
    }
    case 'drop':
      caches.delete(req.cache);
      return null;
  }
}

port.on('message', (msg: { id: number; req: Request }) => {
  handle(msg.req).then(
    (result) => {
      const tensors = result && msg.req.op === 'run' ? Object.values(result as RunResult) : [];
      port.postMessage({ id: msg.id, ok: true, result } satisfies Response, transferables(tensors));
    },
    (e: Error & { code?: string }) => {
      port.postMessage({ id: msg.id, ok: false, error: { name: e.name, message: e.message, code: e.code } } satisfies Response);
    },
  );
});
