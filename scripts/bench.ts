// `npm run bench`: the TypeScript engine (onnxruntime-node) against the PyTorch reference sampler on the same
// package, held-out world samples and decoding settings, measured in the same run. Writes OUT/bench.json and
// OUT/bench.md. Options (env): LAVIDA_BENCH_PACKAGE (package folder), LAVIDA_BENCH_CHECKPOINT (PyTorch checkpoint
// of that package), LAVIDA_BENCH_N (samples per text family, default 8), LAVIDA_BENCH_OUT (default bench/),
// LAVIDA_BENCH_THREADS (ORT intra-op threads and torch threads stay equal: default 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractAnswer } from '../server/engine/answer.js';
import type { BatcherOptions } from '../server/engine/batcher.js';
import { Engine } from '../server/engine/engine.js';
import { decodeImage } from '../server/engine/image.js';
import type { RgbImage } from '../server/engine/rgb.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = resolve(process.env.LAVIDA_BENCH_PACKAGE ?? join(ROOT, 'models/lavida-r1-tiny'));
const CHECKPOINT = resolve(process.env.LAVIDA_BENCH_CHECKPOINT ?? join(ROOT, 'train/checkpoints/lavida-r1-tiny'));
const N = Number(process.env.LAVIDA_BENCH_N ?? 8);
const OUT = resolve(process.env.LAVIDA_BENCH_OUT ?? join(ROOT, 'bench'));
const CONCURRENCY = [1, 4, 16];

interface Row { latency_s: number; tokens: number; nfe: number; correct: boolean }
interface Summary { tokens_per_s: number; requests_per_s: number; nfe_mean: number; p50_s: number; p95_s: number; accuracy: number }
interface Sample { id: string; family: string; image: string; prompt: string; target: string }

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

function summarize(rows: Row[], wall: number): Summary {
  const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    tokens_per_s: sum((r) => r.tokens) / wall, requests_per_s: rows.length / wall, nfe_mean: sum((r) => r.nfe) / rows.length,
    p50_s: quantile(rows.map((r) => r.latency_s), 0.5), p95_s: quantile(rows.map((r) => r.latency_s), 0.95),
    accuracy: sum((r) => Number(r.correct)) / rows.length,
  };
}

function pythonReference(dir: string): { samples: Sample[]; results: Record<string, Row[]>; peak_rss_mb: number; checkpoint_matches_package: boolean } {
  const run = spawnSync(join(ROOT, 'train/.venv/bin/python'), [join(ROOT, 'scripts/bench_reference.py'), PACKAGE, CHECKPOINT, dir, String(N)], {
    cwd: join(ROOT, 'train'), env: { ...process.env, OMP_NUM_THREADS: process.env.LAVIDA_BENCH_THREADS ?? '1' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) throw new Error('the Python reference failed');
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
}

/** Every sample once, with at most `concurrency` requests in flight. */
async function measure(engine: Engine, samples: Array<Sample & { rgb: RgbImage }>, concurrency: number, threshold: number | null): Promise<Summary> {
  const rows: Row[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < samples.length) {
      const s = samples[next++]!;
      const t = performance.now();
      const r = await engine.vqa(s.rgb, s.prompt, { sampling: { threshold } });
      const stop = r.tokens.findIndex((id) => id === engine.model.config.eos_token_id || id === engine.model.config.eot_token_id);
      rows.push({ latency_s: (performance.now() - t) / 1000, tokens: stop < 0 ? r.tokens.length : stop, nfe: r.nfe, correct: extractAnswer(r.text) === s.target });
    }
  }));
  return summarize(rows, (performance.now() - began) / 1000);
}

async function main(): Promise<void> {
  if (!existsSync(join(PACKAGE, 'manifest.json'))) throw new Error(`no package at ${PACKAGE} (set LAVIDA_BENCH_PACKAGE)`);
  const work = mkdtempSync(join(tmpdir(), 'lavida-bench-'));
  console.error(`[bench] Python reference (PyTorch sampler, ${N} samples per family)…`);
  const ref = pythonReference(work);
  const reference = Object.fromEntries(Object.entries(ref.results).map(([k, rows]) =>
    [k, summarize(rows, rows.reduce((a, r) => a + r.latency_s, 0))]));
  const samples = await Promise.all(ref.samples.map(async (s) => ({ ...s, rgb: await decodeImage(readFileSync(join(work, s.image))) })));
  const threads = Number(process.env.LAVIDA_BENCH_THREADS ?? 1);
  const engineRuns: Record<string, Record<string, Summary>> = {};
  for (const [batchName, batching] of [['batching', { windowMs: 5, maxBatch: 16 }], ['no-batching', { windowMs: 0, maxBatch: 1 }]] as Array<[string, BatcherOptions]>) {
    const engine = await Engine.load({ modelsDir: dirname(PACKAGE), modelId: basename(PACKAGE), workers: 1, intraOpNumThreads: threads, batching, log: () => undefined });
    for (const [mode, threshold] of [['fixed', null], ['threshold0.9', 0.9]] as Array<[string, number | null]>) {
      await measure(engine, samples.slice(0, 2), 1, threshold); // warm-up
      for (const c of CONCURRENCY) {
        const name = `cache+${mode}+${batchName}`;
        (engineRuns[name] ??= {})[`c${c}`] = await measure(engine, samples, c, threshold);
        console.error(`[bench] ${name} c=${c}: ${engineRuns[name]![`c${c}`]!.tokens_per_s.toFixed(1)} tokens/s`);
      }
    }
    await engine.close();
  }
  const report = {
    command: 'npm run bench', package: PACKAGE, checkpoint: CHECKPOINT, samples_per_family: N, threads,
    settings: JSON.parse(readFileSync(join(PACKAGE, 'manifest.json'), 'utf8')).layout.sampling.text,
    checkpoint_matches_package: ref.checkpoint_matches_package, reference, reference_peak_rss_mb: ref.peak_rss_mb, engine: engineRuns,
    engine_peak_rss_mb: process.resourceUsage().maxRSS / 1024, // the engine process, its ORT workers included
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'bench.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(OUT, 'bench.md'), markdown(report));
  console.error(`[bench] wrote ${join(OUT, 'bench.md')}`);
}

function markdown(r: { checkpoint_matches_package: boolean; reference: Record<string, Summary>; engine: Record<string, Record<string, Summary>>; samples_per_family: number; threads: number; reference_peak_rss_mb: number; engine_peak_rss_mb: number; settings: unknown }): string {
  const base = r.reference['cache+fixed']!;
  const line = (name: string, c: string, s: Summary) =>
    `| ${name} | ${c} | ${s.tokens_per_s.toFixed(1)} | ${(s.tokens_per_s / base.tokens_per_s).toFixed(2)}x | ${s.nfe_mean.toFixed(1)} | ${s.p50_s.toFixed(3)} | ${s.p95_s.toFixed(3)} | ${(100 * s.accuracy).toFixed(1)} |`;
  return [
    '# Engine benchmark', '',
    `Reproduce: \`npm run bench\`. ${r.samples_per_family} held-out world samples per text family (math, chart, mcq), ` +
    `CPU, ${r.threads} thread(s) on both sides; text settings ${JSON.stringify(r.settings)}. Ratios are tokens/s against the ` +
    'PyTorch reference sampler with prefix cache and fixed steps, measured in the same run. Accuracy: exact match of ' +
    'the `<answer>` with the target (chart without ChartQA\'s relaxed match). The engine always runs with the prefix cache.',
    ...(r.checkpoint_matches_package ? [] : ['', '**Warning: the PyTorch checkpoint is not the one the package was exported from; outputs are not comparable.**']), '',
    '| configuration | concurrency | tokens/s | vs reference | NFE | p50 s | p95 s | accuracy % |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(r.reference).map(([k, s]) => line(`PyTorch ${k}`, '1', s)),
    ...Object.entries(r.engine).flatMap(([k, byC]) => Object.entries(byC).map(([c, s]) => line(`engine ${k}`, c.slice(1), s))),
    '', `Peak RSS: reference ${r.reference_peak_rss_mb.toFixed(0)} MB, engine ${r.engine_peak_rss_mb.toFixed(0)} MB.`, '',
  ].join('\n');
}

await main();
