// The backbone graphs' calls measured alone on onnxruntime-node (the engine's runtime): ORT nodes executed per
// call (from ORT's profile) and time per call, for the call shapes a VQA request makes: the prompt prefill, an
// 80-token step against the prompt cache and a 16-token dual-cache pass against the window, each fetching the
// candidates of one 16-token block. Calls of every graph and shape are interleaved, so ratios come from the same
// conditions. `npm run bench` reports it for its package; standalone, it compares packages (e.g. before/after a
// re-export):
//   node --import tsx scripts/graph-calls.ts PACKAGE_DIR [PACKAGE_DIR ...]   (env LAVIDA_BENCH_THREADS, default 1)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../server/engine/package/manifest.js';

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

/** The calls, and how busy the machine was when they began (1-minute load average, CPUs). */
export interface GraphCalls {
  calls: GraphCall[];
  load_average: number;
  cpus: number;
}

export interface GraphCall {
  package: string;
  graph: string;
  shape: string;
  nodes: number;
  median_ms: number;
  best_ms: number;
  cpu_median_ms: number;
}

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
  const wanted = s.past === 0 ? 0 : Math.min(BLOCK, s.tokens);
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

/** Every backbone graph of every package, at every shape; timings interleaved round by round. */
export async function measureGraphCalls(packages: string[], threads: number): Promise<GraphCalls> {
  const [load_average] = loadavg();
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  const subjects: Array<{
    row: GraphCall;
    session: ort.InferenceSession;
    input: Record<string, ort.Tensor>;
    shape: CallShape;
    times: number[];
    cpu: number[];
  }> = [];
  for (const dir of packages) {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    for (const [graph, spec] of Object.entries(m.graphs).filter(([g]) => g.startsWith('backbone'))) {
      const file = join(dir, spec.file);
      const session = await ort.InferenceSession.create(file, options);
      for (const shape of SHAPES) {
        const nodes = await nodesPerCall(file, options, shape, m);
        subjects.push({
          row: { package: dir, graph, shape: shape.name, nodes, median_ms: 0, best_ms: 0, cpu_median_ms: 0 },
          session,
          input: feeds(m, session.inputNames, shape),
          shape,
          times: [],
          cpu: [],
        });
      }
    }
  }
  for (const s of subjects) await s.session.run(s.input, fetches(s.shape)); // warm-up
  for (let round = 0; round < CALLS; round++) {
    for (const s of subjects) {
      const t = performance.now();
      const c = process.cpuUsage();
      await s.session.run(s.input, fetches(s.shape));
      const used = process.cpuUsage(c);
      s.times.push(performance.now() - t);
      s.cpu.push((used.user + used.system) / 1000);
    }
  }
  for (const s of new Set(subjects.map((x) => x.session))) await s.release();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const calls = subjects.map((s) => ({
    ...s.row,
    median_ms: median(s.times),
    best_ms: Math.min(...s.times),
    cpu_median_ms: median(s.cpu),
  }));
  return { calls, load_average: load_average!, cpus: availableParallelism() };
}

/** Markdown rows; the ratio: median CPU time against the first row of the same shape. */
export function graphCallTable(rows: GraphCall[], label: (r: GraphCall) => string): string[] {
  const first = new Map<string, GraphCall>();
  for (const r of rows) if (!first.has(r.shape)) first.set(r.shape, r);
  return [
    '| graph | call | ORT nodes per call | median ms | best ms | median CPU ms | CPU vs first row |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${label(r)} | ${r.shape} | ${r.nodes} | ${r.median_ms.toFixed(2)} | ${r.best_ms.toFixed(2)} | ` +
        `${r.cpu_median_ms.toFixed(2)} | ${(r.cpu_median_ms / first.get(r.shape)!.cpu_median_ms).toFixed(2)}x |`,
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
    ...graphCallTable(rows, (r) => `\`${r.graph}\``),
    '',
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packages = process.argv.slice(2).map((p) => resolve(p));
  if (packages.length === 0) throw new Error('usage: graph-calls.ts PACKAGE_DIR [PACKAGE_DIR ...]');
  const { calls: rows } = await measureGraphCalls(packages, Number(process.env.LAVIDA_BENCH_THREADS ?? 1));
  const order = new Map(SHAPES.map((s, i) => [s.name, i]));
  rows.sort((a, b) => order.get(a.shape)! - order.get(b.shape)!);
  console.log(graphCallTable(rows, (r) => `${r.package} ${r.graph}`).join('\n'));
}
