// `npm run bench`: the TypeScript engine (onnxruntime-node) against the PyTorch reference sampler on the same
// package, held-out world samples and decoding settings, measured in the same run. Writes OUT/bench.json and
// OUT/bench.md. Options (env): LAVIDA_BENCH_PACKAGE (package folder), LAVIDA_BENCH_CHECKPOINT (PyTorch checkpoint
// of that package), LAVIDA_BENCH_N (samples per text family, default 50), LAVIDA_BENCH_OUT (default bench/),
// LAVIDA_BENCH_THREADS (ORT intra-op threads and torch threads stay equal: default 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatcherOptions } from '../server/engine/batcher.js';
import { Engine } from '../server/engine/engine.js';
import { decodeImage } from '../server/engine/image/preprocess.js';
import type { RgbImage } from '../server/engine/image/rgb.js';
import { extractAnswer } from '../server/engine/text/answer.js';
import { graphCallsMarkdown, measureGraphCalls, type GraphCall } from './graph-calls.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = resolve(process.env.LAVIDA_BENCH_PACKAGE ?? join(ROOT, 'models/lavida-r1-tiny'));
const CHECKPOINT = resolve(process.env.LAVIDA_BENCH_CHECKPOINT ?? join(ROOT, 'train/checkpoints/lavida-r1-tiny'));
const N = Number(process.env.LAVIDA_BENCH_N ?? 50);
const OUT = resolve(process.env.LAVIDA_BENCH_OUT ?? join(ROOT, 'bench'));
const CONCURRENCY = [1, 4, 16];
const BASELINE = 'prefix+fixed'; // the PyTorch reference's own default: LaViDa's prefix cache, fixed steps

type Decoding = { threshold: number | null; dualCache: boolean };
const DECODINGS: Record<string, Decoding> = {
  'prefix+fixed': { threshold: null, dualCache: false }, 'prefix+threshold0.9': { threshold: 0.9, dualCache: false },
  'dual+fixed': { threshold: null, dualCache: true }, 'dual+threshold0.9': { threshold: 0.9, dualCache: true },
};

interface Row { index: number; latency_s: number; tokens: number; nfe: number; correct: boolean }
interface Summary { tokens_per_s: number; requests_per_s: number; nfe_mean: number; p50_s: number; p95_s: number; accuracy: number; correct: boolean[] }
interface Sample { id: string; family: string; image: string; prompt: string; target: string }

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

function summarize(rows: Row[], wall: number): Summary {
  const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
  const correct: boolean[] = [];
  for (const r of rows) correct[r.index] = r.correct;
  return {
    tokens_per_s: sum((r) => r.tokens) / wall, requests_per_s: rows.length / wall, nfe_mean: sum((r) => r.nfe) / rows.length,
    p50_s: quantile(rows.map((r) => r.latency_s), 0.5), p95_s: quantile(rows.map((r) => r.latency_s), 0.95),
    accuracy: sum((r) => Number(r.correct)) / rows.length, correct,
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
async function measure(engine: Engine, samples: Array<Sample & { rgb: RgbImage }>, concurrency: number, decoding: Decoding): Promise<Summary> {
  const rows: Row[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < samples.length) {
      const index = next++;
      const s = samples[index]!;
      const t = performance.now();
      const r = await engine.vqa(s.rgb, s.prompt, { sampling: decoding });
      const stop = r.tokens.findIndex((id) => id === engine.model.config.eos_token_id || id === engine.model.config.eot_token_id);
      rows.push({ index, latency_s: (performance.now() - t) / 1000, tokens: stop < 0 ? r.tokens.length : stop, nfe: r.nfe, correct: extractAnswer(r.text) === s.target });
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
    [k, summarize(rows.map((r, index) => ({ ...r, index })), rows.reduce((a, r) => a + r.latency_s, 0))]));
  const samples = await Promise.all(ref.samples.map(async (s) => ({ ...s, rgb: await decodeImage(readFileSync(join(work, s.image))) })));
  const threads = Number(process.env.LAVIDA_BENCH_THREADS ?? 1);
  const engineRuns: Record<string, Record<string, Summary>> = {};
  for (const [batchName, batching] of [['batching', { windowMs: 5, maxBatch: 16 }], ['no-batching', { windowMs: 0, maxBatch: 1 }]] as Array<[string, BatcherOptions]>) {
    const engine = await Engine.load({ modelsDir: dirname(PACKAGE), modelId: basename(PACKAGE), workers: 1, intraOpNumThreads: threads, batching, log: () => undefined });
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
  const report = {
    command: 'npm run bench', package: PACKAGE, checkpoint: CHECKPOINT, samples_per_family: N, threads,
    settings: JSON.parse(readFileSync(join(PACKAGE, 'manifest.json'), 'utf8')).layout.sampling.text,
    checkpoint_matches_package: ref.checkpoint_matches_package, reference, reference_peak_rss_mb: ref.peak_rss_mb, engine: engineRuns,
    engine_peak_rss_mb: process.resourceUsage().maxRSS / 1024, // the engine process, its ORT workers included
    graphs: await measureGraphCalls([PACKAGE], threads),
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'bench.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(OUT, 'bench.md'), markdown(report));
  console.error(`[bench] wrote ${join(OUT, 'bench.md')}`);
}

type Report = { checkpoint_matches_package: boolean; reference: Record<string, Summary>; engine: Record<string, Record<string, Summary>>;
  samples_per_family: number; threads: number; reference_peak_rss_mb: number; engine_peak_rss_mb: number; settings: unknown;
  graphs?: GraphCall[] };

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
    return `| ${name} | ${c} | ${s.tokens_per_s.toFixed(1)} | ${(s.tokens_per_s / base.tokens_per_s).toFixed(2)}x | ${s.nfe_mean.toFixed(1)} | ` +
      `${s.p50_s.toFixed(3)} | ${s.p95_s.toFixed(3)} | ${(100 * s.accuracy).toFixed(1)} | ${points(s) >= 0 ? '+' : ''}${points(s).toFixed(1)} (−${f.lost}/+${f.gained}) |`;
  };
  const engineRows = Object.entries(r.engine).flatMap(([k, byC]) => Object.entries(byC).map(([c, s]) => ({ name: k, c: Number(c.slice(1)), s })));
  const kept = engineRows.filter((e) => e.c === 1 && points(e.s) >= -1).sort((a, b) => b.s.tokens_per_s - a.s.tokens_per_s)[0];
  const atSixteen = (k: string) => r.engine[k]?.c16?.tokens_per_s ?? NaN;
  const batching = Object.keys(DECODINGS).map((d) =>
    `${d} ${atSixteen(`${d}+batching`).toFixed(1)} vs ${atSixteen(`${d}+no-batching`).toFixed(1)} (${(atSixteen(`${d}+batching`) / atSixteen(`${d}+no-batching`)).toFixed(2)}x)`);
  const n = base.correct.length;
  return [
    '# Engine benchmark', '',
    `Reproduce: \`npm run bench\`. ${r.samples_per_family} held-out world samples per text family (math, chart, mcq; ${n} in all), ` +
    `CPU, ${r.threads} thread(s) on both sides, one ORT worker; text settings ${JSON.stringify(r.settings)}. Ratios are tokens/s against the ` +
    `PyTorch reference sampler with LaViDa's prefix cache and fixed steps (\`${BASELINE}\`), measured in the same run. Accuracy: exact match of ` +
    'the `<answer>` with the target (chart without ChartQA\'s relaxed match); Δ is in points against that reference, with the samples it ' +
    'lost and gained. `prefix`: the prompt is encoded once (exact). `dual`: Fast-dLLM\'s dual cache on top, where a block\'s first pass keeps ' +
    'the whole answer\'s keys and its other passes run the block alone (approximate). `threshold0.9`: Fast-dLLM parallel decoding.',
    ...(r.checkpoint_matches_package ? [] : ['', '**Warning: the PyTorch checkpoint is not the one the package was exported from; outputs are not comparable.**']), '',
    ...(kept ? [`Fastest engine setting at concurrency 1 within 1 point of the reference's accuracy: **${kept.name}**, ` +
      `${kept.s.tokens_per_s.toFixed(1)} tokens/s = **${(kept.s.tokens_per_s / base.tokens_per_s).toFixed(2)}x**, Δ ${points(kept.s).toFixed(1)} points.`, ''] : []),
    `Batching at concurrency 16 (tokens/s with vs without): ${batching.join('; ')}.`, '',
    '| configuration | concurrency | tokens/s | vs reference | NFE | p50 s | p95 s | accuracy % | Δ points (lost/gained) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(r.reference).map(([k, s]) => line(`PyTorch ${k}`, '1', s)),
    ...engineRows.map((e) => line(`engine ${e.name}`, String(e.c), e.s)),
    '', `Peak RSS: reference ${r.reference_peak_rss_mb.toFixed(0)} MB, engine ${r.engine_peak_rss_mb.toFixed(0)} MB.`, '',
    ...(r.graphs ? graphCallsMarkdown(r.graphs, r.threads, false) : []),
  ].join('\n');
}

await main();
