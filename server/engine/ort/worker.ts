// An ONNX Runtime worker thread: owns the sessions of one package (session.run blocks its thread, not the
// server's event loop) and the prompt caches of the jobs assigned to it.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { GraphName } from '../package/manifest.js';
import { backboneGraph } from './backbone-graph.js';
import { appendPresent, joinMask, sliceCache, stackCaches, type StoredCache } from './cache-store.js';
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
  for (const [rows, s] of stacks) if (s.keys.includes(key)) stacks.delete(rows);
  if (c) caches.set(key, c);
  else caches.delete(key);
}

// Per-row caches stacked into one batch (continuous batching), kept while the same rows run pass after pass.
const stacks = new Map<string, { keys: string[]; cache: StoredCache }>();
const STACKS_KEPT = 4; // a lane runs prompt-cache passes and window passes, each over its own rows

function stacked(keys: string[]): StoredCache {
  const id = keys.join('\n');
  const hit = stacks.get(id);
  if (hit) return hit.cache;
  const cache = stackCaches(keys.map((k) => stored(k)));
  if (stacks.size >= STACKS_KEPT) stacks.delete(stacks.keys().next().value!);
  stacks.set(id, { keys, cache });
  return cache;
}

/** Row i of a run's present_* (and its attention mask) as a one-row cache. */
function presentRow(out: ort.InferenceSession.OnnxValueMapType, current: TensorData, i: number): StoredCache {
  const all: StoredCache = {
    keys: out.present_keys!,
    values: out.present_values!,
    genMask: out.present_gen_mask!,
    mask: current.data as BigInt64Array,
    batch: current.dims[0]!,
    past: current.dims[1]!,
  };
  return sliceCache(all, [i]);
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
  const used = cache.stack ? stacked(cache.stack) : cache.use !== undefined ? stored(cache.use, cache.rows) : undefined;
  if (used) {
    const current = feeds.attention_mask!;
    Object.assign(inputs, { past_keys: used.keys, past_values: used.values, past_gen_mask: used.genMask });
    inputs.attention_mask = joinMask(used, current.data as BigInt64Array, current.dims[1]!);
  }
  const declared = new Set(s.inputNames);
  for (const name of Object.keys(inputs)) if (!declared.has(name)) delete inputs[name]; // e.g. past_gen_mask
  const presents =
    cache.store !== undefined || cache.extend !== undefined || cache.windows?.some((w) => w !== null) === true;
  const wanted = presents ? [...new Set([...fetches, 'present_keys', 'present_values', 'present_gen_mask'])] : fetches;
  const out = await s.run(inputs, wanted);
  if (cache.extend !== undefined) {
    const current = feeds.attention_mask!.data as BigInt64Array;
    if (!used) throw new Error('extend needs the cache it extends (use)');
    keep(
      cache.extend.key,
      appendPresent(used, out.present_keys!, out.present_values!, out.present_gen_mask!, current, cache.extend.hide),
    );
  }
  cache.windows?.forEach((w, i) => {
    if (!w) return;
    const own = stored(cache.stack![i]!);
    const p = presentRow(out, feeds.attention_mask!, i);
    keep(w.key, appendPresent(own, p.keys, p.values, p.genMask, p.mask, w.hide));
  });
  if (cache.store !== undefined) {
    const mask = feeds.attention_mask!;
    keep(cache.store, {
      keys: out.present_keys!,
      values: out.present_values!,
      genMask: out.present_gen_mask!,
      mask: mask.data as BigInt64Array,
      batch: mask.dims[0]!,
      past: mask.dims[1]!,
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
    case 'prompt': {
      const backbone = { ...req.backbone };
      if (req.vision) {
        const features = (await run('vision', req.vision, ['image_features'])).image_features!;
        backbone.image_features = { ...features, dims: [1, ...features.dims] };
      }
      await run('backbone', backbone, [], { store: req.store });
      return null;
    }
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
      if ((req.op === 'run' || req.op === 'prompt') && exitAfterRun !== null) process.exit(exitAfterRun);
      const tensors = result && msg.req.op === 'run' ? Object.values(result as RunResult) : [];
      port.postMessage({ id: msg.id, ok: true, result } satisfies Response, transferables(tensors));
    },
    (e: Error & { code?: string }) => {
      port.postMessage({
        id: msg.id,
        ok: false,
        error: { name: e.name, message: e.message, code: e.code },
      } satisfies Response);
    },
  );
});
