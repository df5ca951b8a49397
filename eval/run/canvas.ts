// The answer canvas of a run's VQA requests: each VQA benchmark sends its task family (VqaRequest.task), so the
// server decodes over the canvas the model was trained at for it; `--knobs` max_tokens overrides.
import type { Schemas } from '../../sdk/client.js';
import type { Benchmark, VqaTask } from '../benchmarks/benchmark.js';
import type { TextKnobs } from './call.js';

type ModelEntry = Schemas['ModelList']['data'][number];

/** The VQA task family of a benchmark; null for grounding and editing. */
export function benchmarkTask(benchmark: Benchmark): VqaTask | null {
  return benchmark.request.kind === 'vqa' ? benchmark.request.task : null;
}

/** The canvas the requests decode over (null: not a VQA run, or a server that does not list its canvases). */
export function runCanvas(task: VqaTask | null, knobs: TextKnobs | undefined, model: ModelEntry | null): number | null {
  if (task === null) return null;
  return knobs?.max_tokens ?? model?.lavida?.canvases[task] ?? null;
}
