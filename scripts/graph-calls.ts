// The backbone graphs' calls measured alone on onnxruntime-node (the engine's runtime): ORT nodes executed per
// call (from ORT's profile), time per call and achieved GFLOP/s against a GEMM peak measured alongside (the
// roofline figure, roofline.ts), for the call shapes a VQA request makes: the prompt prefill, an 80-token step
// against the prompt cache and a 16-token dual-cache pass against the window, each fetching the candidates of one
// 16-token block. Calls of every graph and shape, and the GEMMs, are interleaved, so ratios come from the same
// conditions. `npm run bench` reports it for its package; standalone, it compares packages (e.g. before/after a
// re-export):
//   node --import tsx scripts/graph-calls.ts PACKAGE_DIR [PACKAGE_DIR ...]   (env LAVIDA_BENCH_THREADS, default 1)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../server/engine/package/manifest.js';
import { callFlops, gemmFlops, gemmName, gemmSession, gemmShapes, type BackboneDims } from './roofline.js';

export const PROMPT_TOKENS = 133; // the README's count.png question: 88 image tokens + text
const BLOCK = 16;
const CALLS = 30;

export interface CallShape {
  name: string;
  tokens: number;
  past: number;
}
export const SHAPES: CallShape[] = [
  { name: 'prefill', tokens: PROMPT_TOKENS, past: 0 },
  { name: '80-token step', tokens: 80, past: PROMPT_TOKENS },
  { name: '16-token dual pass', tokens: BLOCK, past: PROMPT_TOKENS + 80 },
  { name: '1-token pass (≈ fixed cost)', tokens: 1, past: PROMPT_TOKENS + 80 },
];

/** The calls, the GEMMs, and how busy the machine was when they began (1-minute load average, CPUs). */
export interface GraphCalls {
  calls: GraphCall[];
  gemms?: Gemm[]; // absent in reports from before the roofline figure
  load_average: number;
  cpus: number;
}

/** A model-shaped GEMM alone on onnxruntime-node: its FLOPs over its median CPU time. */
export interface Gemm {
  shape: string;
  cpu_median_ms: number;
  gflops: number;
}

export interface GraphCall {
  package: string;
  graph: string;
  shape: string;
  nodes: number;
  median_ms: number;
  best_ms: number;
  cpu_median_ms: number;
  mflop?: number; // roofline.ts callFlops (absent in reports from before the roofline figure)
}

/** Text-logit positions a call computes: one block's, none for the prefill. */
const logits = (s: CallShape): number => (s.past === 0 ? 0 : Math.min(BLOCK, s.tokens));

function feeds(m: Manifest, inputNames: readonly string[], s: CallShape): Record<string, ort.Tensor> {
  const c = m.config;
  const hd = m.layout.head_dim;
  const i64 = (n: number, f: (i: number) => number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i)));
  const kv = () =>
    new ort.Tensor(
      'float32',
      Float32Array.from({ length: c.n_layers * c.n_kv_heads * s.past * hd }, () => Math.random() - 0.5),
      [c.n_layers, 1, c.n_kv_heads, s.past, hd],
    );
  const wanted = logits(s);
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor(
      'int64',
      i64(s.tokens, (i) => 7 + (i % 400)),
      [1, s.tokens],
    ),
    position_ids: new ort.Tensor(
      'int64',
      i64(s.tokens, (i) => s.past + i),
      [1, s.tokens],
    ),
    attention_mask: new ort.Tensor(
      'int64',
      i64(s.past + s.tokens, () => 1),
      [1, s.past + s.tokens],
    ),
    past_gen_mask: new ort.Tensor('bool', new Uint8Array(s.past), [1, s.past]),
    past_keys: kv(),
    past_values: kv(),
    image_features: new ort.Tensor('float32', new Float32Array(0), [1, 0, c.d_model]),
    edit_vq: new ort.Tensor('int64', new BigInt64Array(0), [1, 0, 0]),
    gen_vq: new ort.Tensor('int64', new BigInt64Array(0), [1, 0, 0]),
    text_positions: new ort.Tensor(
      'int64',
      i64(wanted, (i) => i),
      [1, wanted],
    ),
    vocab_range: new ort.Tensor(
      'int64',
      i64(2, (i) => (i === 0 ? 0 : c.embedding_size)),
      [2],
    ),
  };
  return Object.fromEntries(inputNames.map((n) => [n, all[n]!]));
}

/** What a call fetches: the block's candidates, or (prefill) the cache. */
const fetches = (s: CallShape) => (s.past === 0 ? ['present_keys', 'present_values'] : ['text_ids', 'text_confidence']);

/** ORT nodes executed per call: kernel events in a profile of `runs` calls. */
async function nodesPerCall(
  file: string,
  options: ort.InferenceSession.SessionOptions,
  s: CallShape,
  m: Manifest,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'lavida-profile-'));
  try {
    const session = await ort.InferenceSession.create(file, {
      ...options,
      enableProfiling: true,
      profileFilePrefix: join(dir, 'p'),
    });
    const runs = 3;
    for (let i = 0; i < runs; i++) await session.run(feeds(m, session.inputNames, s), fetches(s));
    session.endProfiling();
    await session.release();
    const events = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as Array<{
      cat: string;
      name: string;
    }>;
    return events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')).length / runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Timed {
  run: () => Promise<unknown>;
  times: number[];
  cpu: number[];
}

const timed = (run: () => Promise<unknown>): Timed => ({ run, times: [], cpu: [] });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Every backbone graph of every package at every shape, and the GEMMs of the first package's shapes; timings
 *  interleaved round by round. */
export async function measureGraphCalls(packages: string[], threads: number): Promise<GraphCalls> {
  const [load_average] = loadavg();
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  const subjects: Array<{ row: GraphCall; t: Timed }> = [];
  const sessions: ort.InferenceSession[] = [];
  let dims: BackboneDims | undefined;
  for (const dir of packages) {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest & { config: BackboneDims };
    dims ??= m.config;
    for (const [graph, spec] of Object.entries(m.graphs).filter(([g]) => g.startsWith('backbone'))) {
      const file = join(dir, spec.file);
      const session = await ort.InferenceSession.create(file, options);
      sessions.push(session);
      for (const shape of SHAPES) {
        const nodes = await nodesPerCall(file, options, shape, m);
        const input = feeds(m, session.inputNames, shape);
        const mflop = callFlops(m.config, m.layout.head_dim, graph, { ...shape, logits: logits(shape) }) / 1e6;
        subjects.push({
          row: {
            package: relative(process.cwd(), dir),
            graph,
            shape: shape.name,
            nodes,
            median_ms: 0,
            best_ms: 0,
            cpu_median_ms: 0,
            mflop,
          },
          t: timed(() => session.run(input, fetches(shape))),
        });
      }
    }
  }
  const gemms: Array<{ name: string; flops: number; t: Timed }> = [];
  for (const g of dims ? gemmShapes(dims, PROMPT_TOKENS) : []) {
    const { session, input } = await gemmSession(g, options);
    sessions.push(session);
    gemms.push({ name: gemmName(g), flops: gemmFlops(g), t: timed(() => session.run(input)) });
  }
  const all = [...subjects.map((s) => s.t), ...gemms.map((g) => g.t)];
  for (const t of all) await t.run(); // warm-up
  for (let round = 0; round < CALLS; round++) {
    for (const t of all) {
      const began = performance.now();
      const c = process.cpuUsage();
      await t.run();
      const used = process.cpuUsage(c);
      t.times.push(performance.now() - began);
      t.cpu.push((used.user + used.system) / 1000);
    }
  }
  for (const s of sessions) await s.release();
  const calls = subjects.map(({ row, t }) => ({
    ...row,
    median_ms: median(t.times),
    best_ms: Math.min(...t.times),
    cpu_median_ms: median(t.cpu),
  }));
  return {
    calls,
    gemms: gemms.map((g) => ({
      shape: g.name,
      cpu_median_ms: median(g.t.cpu),
      gflops: g.flops / 1e6 / median(g.t.cpu),
    })),
    load_average: load_average!,
    cpus: availableParallelism(),
  };
}

/** The best GEMM's GFLOP/s, the peak the calls are compared with (undefined without GEMMs). */
export const gemmPeak = (gemms: Gemm[] | undefined): Gemm | undefined =>
  gemms?.reduce((a, b) => (b.gflops > a.gflops ? b : a));

/** Markdown rows; the ratio: median CPU time against the first row of the same shape; GFLOP/s: the call's FLOPs
 *  over its median CPU time, against `peak` (the best GEMM's, same statistic). */
export function graphCallTable(rows: GraphCall[], label: (r: GraphCall) => string, peak?: Gemm): string[] {
  const first = new Map<string, GraphCall>();
  for (const r of rows) if (!first.has(r.shape)) first.set(r.shape, r);
  const roofline = (r: GraphCall) => {
    if (r.mflop === undefined || !peak) return ' — | — | — |';
    const gflops = r.mflop / r.cpu_median_ms;
    return ` ${r.mflop.toFixed(1)} | ${gflops.toFixed(1)} | ${((100 * gflops) / peak.gflops).toFixed(0)}% |`;
  };
  return [
    '| graph | call | ORT nodes per call | median ms | best ms | median CPU ms | CPU vs first row | MFLOP | GFLOP/s | of GEMM peak |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${label(r)} | ${r.shape} | ${r.nodes} | ${r.median_ms.toFixed(2)} | ${r.best_ms.toFixed(2)} | ` +
        `${r.cpu_median_ms.toFixed(2)} | ${(r.cpu_median_ms / first.get(r.shape)!.cpu_median_ms).toFixed(2)}x |` +
        roofline(r),
    ),
  ];
}

/** The bench's section for one package's backbone graphs. */
export function graphCallsMarkdown(measured: GraphCalls, threads: number, separateRun: boolean): string[] {
  const rows = measured.calls;
  const time = (graph: string, shape: string) =>
    rows.find((r) => r.graph === graph && r.shape === shape)?.cpu_median_ms ?? NaN;
  const ratios = SHAPES.map(
    (s) => `${s.name} ${(time('backbone_text', s.name) / time('backbone', s.name)).toFixed(2)}x`,
  );
  return [
    '## Backbone calls',
    '',
    `ORT nodes executed per call (ORT's profile) and time per call of the package's backbone graphs alone on onnxruntime-node ` +
      `(\`scripts/graph-calls.ts\`; ${threads} thread(s); a ${PROMPT_TOKENS}-token prompt; every step fetches one 16-token block's ` +
      "candidates; the graphs' calls interleaved, 30 rounds). `backbone_text` runs every VQA, chat and grounding call, `backbone` " +
      `(with the generation branch) an edit's. CPU time per call (the calling thread runs the graph: one intra-op thread) ` +
      `depends less on other processes than wall time (1-minute load average ${measured.load_average.toFixed(1)} on ` +
      `${measured.cpus} CPUs when the calls began). Text-only against mixed, median CPU time: ${ratios.join('; ')}.` +
      (separateRun ? ' Measured in a separate run (`LAVIDA_BENCH_SECTIONS=graphs`), not with the tables above.' : ''),
    '',
    ...rooflineText(measured),
    ...graphCallTable(rows, (r) => `\`${r.graph}\``, gemmPeak(measured.gemms)),
    '',
  ];
}

/** The roofline figure's reading: the GEMM peak, each GEMM, and the FLOP formula's source. */
function rooflineText(measured: GraphCalls): string[] {
  const peak = gemmPeak(measured.gemms);
  if (!peak) return [];
  const each = measured.gemms!.map((g) => `${g.shape} ${g.gflops.toFixed(1)}`).join(', ');
  return [
    `Roofline: MFLOP per call counted from the model config and the call's token counts (matrix products only; the ` +
      'formula is in `scripts/roofline.ts`), GFLOP/s = those FLOPs over the median CPU time, against the GEMM peak ' +
      `measured in the same rounds: the best of these MatMuls alone on onnxruntime-node (right operand constant, as ` +
      `weights are), GFLOP/s on median CPU time: ${each}; peak **${peak.gflops.toFixed(1)} GFLOP/s** (${peak.shape}).`,
    '',
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packages = process.argv.slice(2).map((p) => resolve(p));
  if (packages.length === 0) throw new Error('usage: graph-calls.ts PACKAGE_DIR [PACKAGE_DIR ...]');
  const measured = await measureGraphCalls(packages, Number(process.env.LAVIDA_BENCH_THREADS ?? 1));
  const rows = measured.calls;
  const order = new Map(SHAPES.map((s, i) => [s.name, i]));
  rows.sort((a, b) => order.get(a.shape)! - order.get(b.shape)!);
  console.log(
    [
      ...rooflineText(measured),
      ...graphCallTable(rows, (r) => `${r.package} ${r.graph}`, gemmPeak(measured.gemms)),
    ].join('\n'),
  );
}
