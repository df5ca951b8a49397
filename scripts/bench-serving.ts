// The serving part of `npm run bench`: latency percentiles and tokens/s at concurrency 16 with continuous
// batching, lockstep batching and none, on one and two ORT workers (every ratio from the same run), and the
// per-request fixed work of a fast-path request (threshold 0.9 + dual cache, concurrency 1, from PNG bytes): the
// share of its latency outside the denoising passes (image decode and preparation, the vision + prefill call,
// messaging, result decoding).
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { batchingOptions, type BatchingMode as Batching } from '../server/engine/batching-mode.js';
import { Engine } from '../server/engine/engine.js';
import type { RgbImage } from '../server/engine/image/rgb.js';
import { measure, quantile, type Decoding, type Sample, type Summary } from './bench-measure.js';

export interface ServingRun {
  decoding: string;
  batching: Batching;
  workers: number;
  concurrency: number;
  summary: Summary;
}

export interface FixedWork {
  requests: number;
  mean_ms: { total: number; image: number; prompt: number; passes: number }; // image: decode + anyres on an image thread
  p50_total_ms: number;
  fixed_share: number; // (total - passes) / total, summed over the requests
}

export interface ServingReport {
  cores: number;
  load_average: { before: number[]; after: number[] };
  runs: ServingRun[];
  fixed_work: FixedWork;
}

// the fast path, whose 16-token passes batching can amortise (the exact default's 80-token passes are compute-bound:
// its batching figures are in the engine table above)
const DECODINGS: Record<string, Decoding> = { 'dual+threshold0.9': { threshold: 0.9, dualCache: true } };
const SETUPS: Array<{ batching: Batching; workers: number; concurrency: number[] }> = [
  { batching: 'continuous', workers: 1, concurrency: [16] },
  { batching: 'lockstep', workers: 1, concurrency: [16] },
  { batching: 'none', workers: 1, concurrency: [1, 16] },
  { batching: 'continuous', workers: 2, concurrency: [16] },
  { batching: 'none', workers: 2, concurrency: [16] },
];

type BenchSample = Sample & { rgb: RgbImage; png: Uint8Array };

function load(pkg: string, threads: number, batching: Batching, workers: number): Promise<Engine> {
  return Engine.load({
    modelsDir: dirname(pkg),
    modelId: basename(pkg),
    workers,
    intraOpNumThreads: threads,
    log: () => undefined,
    ...batchingOptions(batching),
  });
}

/** A fast-path request at a time, from its PNG bytes, split into its image preparation, prompt call and passes. */
async function fixedWork(engine: Engine, samples: BenchSample[]): Promise<FixedWork> {
  const rows: Array<{ total: number; image: number; prompt: number; passes: number }> = [];
  for (const s of samples) {
    const began = performance.now();
    const image = await engine.prepareImage(s.png);
    const prepared = performance.now();
    const r = await engine.vqa(image, s.prompt, { sampling: DECODINGS['dual+threshold0.9'] });
    rows.push({
      total: performance.now() - began,
      image: prepared - began,
      prompt: r.workMs!.prompt,
      passes: r.workMs!.passes,
    });
  }
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  return {
    requests: rows.length,
    mean_ms: {
      total: mean((r) => r.total),
      image: mean((r) => r.image),
      prompt: mean((r) => r.prompt),
      passes: mean((r) => r.passes),
    },
    p50_total_ms: quantile(
      rows.map((r) => r.total),
      0.5,
    ),
    fixed_share: 1 - mean((r) => r.passes) / mean((r) => r.total),
  };
}

export async function measureServing(
  pkg: string,
  work: string,
  samples: Array<Sample & { rgb: RgbImage }>,
  threads: number,
): Promise<ServingReport> {
  const withPng = samples.map((s) => ({ ...s, png: readFileSync(join(work, s.image)) }));
  const before = loadavg();
  const runs: ServingRun[] = [];
  let fixed: FixedWork | undefined;
  for (const setup of SETUPS) {
    const engine = await load(pkg, threads, setup.batching, setup.workers);
    for (const [decoding, d] of Object.entries(DECODINGS)) {
      await measure(engine, withPng.slice(0, 4), 4, d); // warm-up
      for (const c of setup.concurrency) {
        runs.push({
          decoding,
          batching: setup.batching,
          workers: setup.workers,
          concurrency: c,
          summary: await measure(engine, withPng, c, d),
        });
        console.error(
          `[bench] serving ${decoding} ${setup.batching} ${setup.workers} worker(s) c=${c}: p50 ${runs.at(-1)!.summary.p50_s.toFixed(3)} s`,
        );
      }
    }
    if (setup.batching === 'continuous' && setup.workers === 1) fixed = await fixedWork(engine, withPng);
    await engine.close();
  }
  return { cores: availableParallelism(), load_average: { before, after: loadavg() }, runs, fixed_work: fixed! };
}

export function servingMarkdown(r: ServingReport, separateRun: boolean): string[] {
  const find = (decoding: string, batching: Batching, workers: number, c = 16) =>
    r.runs.find(
      (x) => x.decoding === decoding && x.batching === batching && x.workers === workers && x.concurrency === c,
    )!.summary;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const readings = Object.keys(DECODINGS).map((d) => {
    const [cont, lock, none, two] = [
      find(d, 'continuous', 1),
      find(d, 'lockstep', 1),
      find(d, 'none', 1),
      find(d, 'continuous', 2),
    ];
    return (
      `- ${d}: continuous vs lockstep p50 ${ratio(cont.p50_s, lock.p50_s)}, tokens/s ${ratio(cont.tokens_per_s, lock.tokens_per_s)}; ` +
      `continuous vs unbatched p50 ${ratio(cont.p50_s, none.p50_s)}, tokens/s ${ratio(cont.tokens_per_s, none.tokens_per_s)}; ` +
      `2 workers vs 1 (continuous) tokens/s ${ratio(two.tokens_per_s, cont.tokens_per_s)}, p50 ${ratio(two.p50_s, cont.p50_s)}.`
    );
  });
  const f = r.fixed_work;
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
  return [
    '## Serving: continuous batching and workers',
    '',
    `Every sample once per configuration (${f.requests} samples), through \`Engine.vqa\` (decoded images), ${r.cores} CPU cores; ` +
      "`continuous`: rows join and leave a worker's running batch at pass boundaries (the default); `lockstep`: a 5 ms window " +
      'of up to 16 jobs decoded as one batch and returned together; `none`: one job per batch. Load average (1/5/15 min) ' +
      `${load(r.load_average.before)} before, ${load(r.load_average.after)} after: on a busy machine compare the ratios of this ` +
      'section, measured in the same run, not the absolute figures.' +
      (separateRun ? ' Measured in a separate run ' + '(`LAVIDA_BENCH_SECTIONS=serving`) from the tables above.' : ''),
    '',
    '| decoding | batching | workers | concurrency | tokens/s | p50 s | p95 s | NFE |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.runs.map(
      ({ decoding, batching, workers, concurrency, summary: s }) =>
        `| ${decoding} | ${batching} | ${workers} | ${concurrency} | ${s.tokens_per_s.toFixed(1)} | ${s.p50_s.toFixed(3)} | ${s.p95_s.toFixed(3)} | ${s.nfe_mean.toFixed(1)} |`,
    ),
    '',
    ...readings,
    '',
    `Per-request fixed work of a fast-path request (threshold 0.9 + dual cache, concurrency 1, one worker, from PNG bytes, ${f.requests} requests): ` +
      `mean ${f.mean_ms.total.toFixed(1)} ms (p50 ${f.p50_total_ms.toFixed(1)}), of which image decode and preparation ${f.mean_ms.image.toFixed(1)} ms, ` +
      `the vision + prefill call ${f.mean_ms.prompt.toFixed(1)} ms, the denoising pass calls ${f.mean_ms.passes.toFixed(1)} ms; ` +
      `everything outside the passes is **${(100 * f.fixed_share).toFixed(1)}%** of the request.`,
    '',
  ];
}
