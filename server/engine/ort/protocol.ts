// Messages between the engine (main thread) and its ONNX Runtime workers. Tensors travel as typed arrays
// whose buffers are transferred, never copied twice.
import type { GraphName, OptimizationLevel } from '../package/manifest.js';
import type { DeviceSetting } from './device.js';

export type TensorType = 'float32' | 'int64' | 'bool';
export type TensorArray = Float32Array | BigInt64Array | Uint8Array;

export interface TensorData {
  type: TensorType;
  data: TensorArray;
  dims: number[];
}

export type Feeds = Record<string, TensorData>;

export interface SessionSettings {
  dir: string;
  graphs: Partial<Record<GraphName, string>>; // graph → file inside dir
  device: DeviceSetting;
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: OptimizationLevel;
  enableCpuMemArena: boolean;
}

/** Backbone calls may keep the prompt cache inside the worker: `store` saves the run's present_* and its
 *  attention mask under a key; `use` feeds them back as past_* and prepends their mask to attention_mask.
 *  `extend` (with `use`) saves the used cache followed by the run's present_* under `extend.key`, the run's
 *  tokens in [hide[0], hide[1]) masked out as keys (Fast-dLLM's dual cache). */
export interface CacheRef {
  use?: string;
  rows?: number[]; // run only these rows of the used cache (the others wait; the cache keeps them)
  store?: string;
  extend?: { key: string; hide: [number, number] };
  stack?: string[]; // instead of `use`: one stored cache per batch row (continuous batching), left-padded into one
  windows?: Array<RowWindow | null>; // with `stack`: row i's cache followed by its present_*, its tokens in hide masked
}

/** A row's dual-cache window, kept under `key` (see `extend`). */
export interface RowWindow {
  key: string;
  hide: [number, number];
}

export type Request =
  | { op: 'init'; settings: SessionSettings }
  | { op: 'run'; graph: GraphName; feeds: Feeds; fetches: string[]; cache?: CacheRef }
  // one request's prompt: the vision graph's image_features fed to the backbone's prefill, stored under `store`
  | { op: 'prompt'; vision?: Feeds; backbone: Feeds; store: string }
  | { op: 'slice'; cache: string; rows: number[] } // keep only these batch rows of a stored cache
  | { op: 'drop'; cache: string }
  // ends the thread between runs, without a reply: `afterNextRun` in place of the next run's reply
  | { op: 'exit'; code: number; afterNextRun?: boolean };

export interface InitResult {
  provider: 'cuda' | 'cpu' | 'webgpu';
  fallbackReason: string | null;
  inputs: Partial<Record<GraphName, string[]>>;
}

export type RunResult = Record<string, TensorData>;

export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };

export const tensor = (type: TensorType, data: TensorArray, dims: number[]): TensorData => ({ type, data, dims });

/** The buffers to transfer with a message (only whole, unshared buffers can be moved). */
export function transferables(tensors: Iterable<TensorData>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const b = t.data.buffer;
    if (b instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === b.byteLength) out.add(b);
  }
  return [...out];
}
