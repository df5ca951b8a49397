// `npm run bench`: the TypeScript engine (onnxruntime-node) against the PyTorch reference sampler on the same
// package, held-out world samples and decoding settings, measured in the same run. Writes OUT/bench.json and
// OUT/bench.md. Options (env): LAVIDA_BENCH_PACKAGE (package folder), LAVIDA_BENCH_CHECKPOINT (PyTorch checkpoint
// of that package), LAVIDA_BENCH_N (samples per text family, default 50), LAVIDA_BENCH_OUT (default bench/),
// LAVIDA_BENCH_THREADS (ORT intra-op threads and torch threads stay equal: default 1), LAVIDA_BENCH_SECTIONS=serving
// (only the serving section, bench-serving.ts: the other figures are kept from OUT/bench.json), =graphs (only the
// backbone calls, graph-calls.ts, likewise).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatcherOptions } from '../server/engine/batcher.js';
import { Engine } from '../server/engine/engine.js';
import { decodeImage } from '../server/engine/image/preprocess.js';
import { measureServing, servingMarkdown, type ServingReport } from './bench-serving.js';
import { graphCallsMarkdown, measureGraphCalls, type GraphCalls } from './graph-calls.js';
import { measure, summarize, type Decoding, type Row, type Sample, type Summary } from './bench-measure.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = resolve(process.env.LAVIDA_BENCH_PACKAGE ?? join(ROOT, 'models/lavida-r1-tiny'));
const CHECKPOINT = resolve(process.env.LAVIDA_BENCH_CHECKPOINT ?? join(ROOT, 'train/checkpoints/lavida-r1-tiny'));
const N = Number(process.env.LAVIDA_BENCH_N ?? 50);
const OUT = resolve(process.env.LAVIDA_BENCH_OUT ?? join(ROOT, 'bench'));
const CONCURRENCY = [1, 4, 16];
const BASELINE = 'prefix+fixed'; // the PyTorch reference's own default: LaViDa's prefix cache, fixed steps

const DECODINGS: Record<string, Decoding> = {
  'prefix+fixed': { threshold: null, dualCache: false },
  'prefix+threshold0.9': { threshold: 0.9, dualCache: false },
  'dual+fixed': { threshold: null, dualCache: true },
  'dual+threshold0.9': { threshold: 0.9, dualCache: true },
};

function pythonReference(
  dir: string,
  samplesOnly = false,
): { samples: Sample[]; results: Record<string, Row[]>; peak_rss_mb: number; checkpoint_matches_package: boolean } {
  const args = [
    join(ROOT, 'scripts/bench_reference.py'),
    PACKAGE,
    CHECKPOINT,
    dir,
    String(N),
    ...(samplesOnly ? ['--samples-only'] : []),
  ];
  const run = spawnSync(join(ROOT, 'train/.venv/bin/python'), args, {
    cwd: join(ROOT, 'train'),
    env: { ...process.env, OMP_NUM_THREADS: process.env.LAVIDA_BENCH_THREADS ?? '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) throw new Error('the Python reference failed');
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
}

async function main(): Promise<void> {
  if (!existsSync(join(PACKAGE, 'manifest.json')))
    throw new Error(`no package at ${PACKAGE} (set LAVIDA_BENCH_PACKAGE)`);
  if (process.env.LAVIDA_BENCH_SECTIONS === 'graphs') {
    const previous = JSON.parse(readFileSync(join(OUT, 'bench.json'), 'utf8')) as Report;
    return write({
      ...previous,
      graphs: await measureGraphCalls([PACKAGE], previous.threads),
      graphs_separate_run: true,
    });
  }
  const work = mkdtempSync(join(tmpdir(), 'lavida-bench-'));
  const servingOnly = process.env.LAVIDA_BENCH_SECTIONS === 'serving';
  console.error(
    `[bench] Python reference (PyTorch sampler, ${N} samples per family${servingOnly ? ', samples only' : ''})…`,
  );
  const ref = pythonReference(work, servingOnly);
  const samples = await Promise.all(
    ref.samples.map(async (s) => ({ ...s, rgb: await decodeImage(readFileSync(join(work, s.image))) })),
  );
  const threads = Number(process.env.LAVIDA_BENCH_THREADS ?? 1);
  if (servingOnly) {
    const serving = await measureServing(PACKAGE, work, samples, threads);
    const previous = JSON.parse(readFileSync(join(OUT, 'bench.json'), 'utf8')) as Report; // read once measured: other sections may have changed it
    return write({ ...previous, serving, serving_separate_run: true });
  }
  const reference = Object.fromEntries(
    Object.entries(ref.results).map(([k, rows]) => [
      k,
      summarize(
        rows.map((r, index) => ({ ...r, index })),
        rows.reduce((a, r) => a + r.latency_s, 0),
      ),
    ]),
  );
  const engineRuns: Record<string, Record<string, Summary>> = {};
  for (const [batchName, batching] of [
    ['batching', { windowMs: 5, maxBatch: 16 }],
    ['no-batching', { windowMs: 0, maxBatch: 1 }],
  ] as Array<[string, BatcherOptions]>) {
    const engine = await Engine.load({
      modelsDir: dirname(PACKAGE),
      modelId: basename(PACKAGE),
      workers: 1,
      intraOpNumThreads: threads,
      batching,
      log: () => undefined,
    });
    for (const [mode, decoding] of Object.entries(DECODINGS)) {
      await measure(engine, samples.slice(0, 2), 1, decoding); // warm-up
      for (const c of CONCURRENCY) {
        const name = `${mode}+${batchName}`;
        (engineRuns[name] ??= {})[`c${c}`] = await measure(engine, samples, c, decoding);
        console.error(`[bench] ${name} c=${c}: ${engineRuns[name]![`c${c}`]!.tokens_per_s.toFixed(1)} tokens/s`);
      }
    }
    await engine.close();
  }
  const engineRss = process.resourceUsage().maxRSS / 1024; // the engine process, its ORT workers included
  write({
    command: 'npm run bench',
    package: relative(ROOT, PACKAGE), // repository-relative: the committed report names no machine's folders
    checkpoint: relative(ROOT, CHECKPOINT),
    samples_per_family: N,
    threads,
    settings: JSON.parse(readFileSync(join(PACKAGE, 'manifest.json'), 'utf8')).layout.sampling.text,
    checkpoint_matches_package: ref.checkpoint_matches_package,
    reference,
    reference_peak_rss_mb: ref.peak_rss_mb,
    engine: engineRuns,
    engine_batching: 'continuous',
    engine_peak_rss_mb: engineRss,
    serving: await measureServing(PACKAGE, work, samples, threads),
    graphs: await measureGraphCalls([PACKAGE], threads),
  });
}

function write(report: Report): void {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'bench.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(OUT, 'bench.md'), markdown(report));
  console.error(`[bench] wrote ${join(OUT, 'bench.md')}`);
}

type Report = {
  command: string;
  package: string;
  checkpoint: string;
  checkpoint_matches_package: boolean;
  reference: Record<string, Summary>;
  engine: Record<string, Record<string, Summary>>;
  samples_per_family: number;
  threads: number;
  reference_peak_rss_mb: number;
  engine_peak_rss_mb: number;
  settings: unknown;
  engine_batching?: 'continuous' | 'lockstep'; // VQA batching of the engine's `batching` rows (runs before continuous batching: lockstep)
  serving?: ServingReport;
  serving_separate_run?: boolean;
  graphs?: GraphCalls;
  graphs_separate_run?: boolean;
};

/** Samples the baseline answers correctly and `s` does not, and the other way round. */
function flips(base: Summary, s: Summary): { lost: number; gained: number } {
  let lost = 0;
  let gained = 0;
  base.correct.forEach((ok, i) => {
    if (ok && !s.correct[i]) lost++;
    if (!ok && s.correct[i]) gained++;
  });
  return { lost, gained };
}

function markdown(r: Report): string {
  const base = r.reference[BASELINE]!;
  const points = (s: Summary) => 100 * (s.accuracy - base.accuracy);
  const line = (name: string, c: string, s: Summary) => {
    const f = flips(base, s);
    return (
      `| ${name} | ${c} | ${s.tokens_per_s.toFixed(1)} | ${(s.tokens_per_s / base.tokens_per_s).toFixed(2)}x | ${s.nfe_mean.toFixed(1)} | ` +
      `${s.p50_s.toFixed(3)} | ${s.p95_s.toFixed(3)} | ${(100 * s.accuracy).toFixed(1)} | ${points(s) >= 0 ? '+' : ''}${points(s).toFixed(1)} (−${f.lost}/+${f.gained}) |`
    );
  };
  const engineRows = Object.entries(r.engine).flatMap(([k, byC]) =>
    Object.entries(byC).map(([c, s]) => ({ name: k, c: Number(c.slice(1)), s })),
  );
  const kept = engineRows
    .filter((e) => e.c === 1 && points(e.s) >= -1)
    .sort((a, b) => b.s.tokens_per_s - a.s.tokens_per_s)[0];
  const atSixteen = (k: string) => r.engine[k]?.c16?.tokens_per_s ?? NaN;
  const batching = Object.keys(DECODINGS).map(
    (d) =>
      `${d} ${atSixteen(`${d}+batching`).toFixed(1)} vs ${atSixteen(`${d}+no-batching`).toFixed(1)} (${(atSixteen(`${d}+batching`) / atSixteen(`${d}+no-batching`)).toFixed(2)}x)`,
  );
  const n = base.correct.length;
  return [
    '# Engine benchmark',
    '',
    `Reproduce: \`npm run bench\`. ${r.samples_per_family} held-out world samples per text family (math, chart, mcq; ${n} in all), ` +
      `CPU, ${r.threads} thread(s) on both sides, one ORT worker; text settings ${JSON.stringify(r.settings)}. \`batching\`: ` +
      `${(r.engine_batching ?? 'lockstep') === 'continuous' ? 'continuous batching (rows join and leave the running batch at pass boundaries)' : 'lockstep batches (a 5 ms window of up to 16 jobs, returned together)'}. Ratios are tokens/s against the ` +
      `PyTorch reference sampler with LaViDa's prefix cache and fixed steps (\`${BASELINE}\`), measured in the same run. Accuracy: exact match of ` +
      "the `<answer>` with the target (chart without ChartQA's relaxed match); Δ is in points against that reference, with the samples it " +
      "lost and gained. `prefix`: the prompt is encoded once (exact). `dual`: Fast-dLLM's dual cache on top, where a block's first pass keeps " +
      "the whole answer's keys and its other passes run the block alone (approximate). `threshold0.9`: Fast-dLLM parallel decoding.",
    ...(r.checkpoint_matches_package
      ? []
      : [
          '',
          '**Warning: the PyTorch checkpoint is not the one the package was exported from; outputs are not comparable.**',
        ]),
    '',
    ...(kept
      ? [
          `Fastest engine setting at concurrency 1 within 1 point of the reference's accuracy: **${kept.name}**, ` +
            `${kept.s.tokens_per_s.toFixed(1)} tokens/s = **${(kept.s.tokens_per_s / base.tokens_per_s).toFixed(2)}x**, Δ ${points(kept.s).toFixed(1)} points.`,
          '',
        ]
      : []),
    `Batching at concurrency 16 (tokens/s with vs without): ${batching.join('; ')}.`,
    '',
    '| configuration | concurrency | tokens/s | vs reference | NFE | p50 s | p95 s | accuracy % | Δ points (lost/gained) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(r.reference).map(([k, s]) => line(`PyTorch ${k}`, '1', s)),
    ...engineRows.map((e) => line(`engine ${e.name}`, String(e.c), e.s)),
    '',
    `Peak RSS: reference ${r.reference_peak_rss_mb.toFixed(0)} MB, engine ${r.engine_peak_rss_mb.toFixed(0)} MB.`,
    '',
    ...(r.serving ? servingMarkdown(r.serving, r.serving_separate_run === true) : []),
    ...(r.graphs ? graphCallsMarkdown(r.graphs, r.threads, r.graphs_separate_run === true) : []),
  ].join('\n');
}

await main();
