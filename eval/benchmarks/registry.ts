// Every benchmark, in the order help texts and reports list them. Adding a benchmark: its folder (an index.ts
// exporting its Benchmark), then its line here (and its import).
import { UserError } from '../errors.js';
import type { Benchmark } from './benchmark.js';
import { chartqa } from './chartqa/index.js';
import { imgedit } from './imgedit/index.js';
import { lisa } from './lisa/index.js';
import { mathvista } from './mathvista/index.js';
import { mmmuPro } from './mmmupro/index.js';

export const BENCHMARKS: readonly Benchmark[] = [mathvista, chartqa, mmmuPro, lisa, imgedit];

export const BENCHMARK_NAMES = BENCHMARKS.map((b) => b.name);

/** The benchmark a `--benchmark` value names (its canonical name or an alias, any case). */
export function findBenchmark(name: string): Benchmark {
  const key = name.toLowerCase();
  const found = BENCHMARKS.find((b) => b.name === key || b.aliases.includes(key));
  if (!found) throw new UserError(`unknown benchmark "${name}" (known: ${BENCHMARK_NAMES.join(', ')})`);
  return found;
}
