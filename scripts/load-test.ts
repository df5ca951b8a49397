// `npm run load-test`: a bounded, loopback-only load test of the REST server. Starts `server/main.ts` as a child
// process on 127.0.0.1 (ephemeral port, an API key set, the default package), then drives concurrent autocannon
// connections over good requests (VQA as JSON, as an upload and with threshold + dual cache, grounding, /v1/models,
// /healthz) and bad ones (non-image upload, truncated PNG, malformed JSON, missing fields, out-of-range knobs,
// unknown model, wrong API key, oversize body) in three phases: a warm-up, then two identical measured halves. It
// samples the server's RSS throughout and prints a Markdown report (--out FILE also writes it as JSON).
// Fails (exit 1) on any 5xx other than 503, a status a kind does not expect, transport errors or timeouts, an
// unclean shutdown, or RSS growth beyond --rss-threshold (end of warm-up → end, and half 1 → half 2).
// Flags: --duration S (both halves together, default 20, at most 7200 for a soak), --warmup S (default 5, at most 600), --connections N (default 16,
// at least one per kind), --rss-threshold FRACTION (default 0.25), --host (loopback only), --out FILE (the report
// as JSON), --log FILE (keep the server's pino log there; by default it is kept only when the run fails).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import sharp from 'sharp';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;
// Smaller body limits than the defaults (20/15 MiB), so that the oversize-body kind costs 1 MiB a request, not 20.
const BODY_LIMIT = MiB;

type Method = 'GET' | 'POST';
interface Req {
  method: Method;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
interface Kind {
  name: string;
  good: boolean;
  expect: number[]; // the statuses this kind should get (429 and 503 are always tolerated: deliberate backpressure)
  requests: Req[]; // each connection cycles through these
}
interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
interface KindResult {
  kind: string;
  good: boolean;
  connections: number;
  responses: number;
  rps: number;
  latency_ms: LatencySummary;
  statuses: Record<string, number>;
  unexpected: number;
  errors: number;
  timeouts: number;
}
interface PhaseMemory {
  rss_end_mb: number;
  rss_peak_mb: number;
  heap_used_end_mb: number | null;
}
export interface LoadReport {
  command: string;
  duration_s: number;
  warmup_s: number;
  connections: number;
  wall_s: number;
  totals: {
    responses: number;
    rps: number;
    server_5xx_not_503: number;
    unexpected: number;
    errors: number;
    timeouts: number;
    server_error_logs: number;
  };
  kinds: KindResult[];
  memory: {
    rss_before_mb: number;
    rss_after_mb: number;
    heap_used_after_mb: number | null;
    phases: Record<'warmup' | 'half1' | 'half2', PhaseMemory>;
    growth_warmup_to_end: number;
    growth_half1_to_half2: number;
    threshold: number;
    samples: Array<[number, number]>;
  };
  shutdown: { exit_code: number | null; ms: number };
  failures: string[];
}

// ---- the server -------------------------------------------------------------------------------------------

function assertLoopback(host: string): void {
  const ok = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!ok) throw new Error(`refusing to load-test ${host}: only loopback addresses (127.0.0.0/8, ::1, localhost)`);
}

interface Server {
  child: ChildProcess;
  url: string;
  logPath: string;
  exited: Promise<number | null>;
}

/** Error- and fatal-level lines of a pino log, read as a stream: a soak's log outgrows any one string. */
async function countErrorLines(path: string): Promise<number> {
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (/"level":(50|60)/.test(line)) count++;
  }
  return count;
}

/** Starts server/main.ts on host:0 and waits for its `listening` log line (the engine is loaded by then). */
async function startServer(host: string, apiKey: string, logPath: string): Promise<Server> {
  const log = openSync(logPath, 'w'); // a file, not a pipe: reading every access-log line would load this process
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      PORT: '0',
      LAVIDA_PORT: '0',
      LAVIDA_HOST: host,
      LAVIDA_API_KEYS: apiKey,
      LAVIDA_LOG_LEVEL: 'info',
      LAVIDA_MAX_BODY_BYTES: String(BODY_LIMIT),
      LAVIDA_MAX_UPLOAD_BYTES: String(BODY_LIMIT),
    },
  });
  closeSync(log);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const end = Date.now() + 180_000;
  while (Date.now() < end && !gone) {
    for (const line of readFileSync(logPath, 'utf8').split('\n')) {
      if (!line.includes('"listening"')) continue;
      const { port } = JSON.parse(line) as { port: number };
      return { child, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, logPath, exited };
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not start:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
}

/** Resident set size of a process in MiB (Linux /proc). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

/** The V8 heap in use, from the server's own Prometheus metrics (null if unreadable). */
async function heapUsedMb(url: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^lavida_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
    return m ? Number(m[1]) / MiB : null;
  } catch {
    return null;
  }
}

// ---- the workload -----------------------------------------------------------------------------------------

const SHAPES = `<svg width="96" height="64"><rect width="96" height="64" fill="white"/>
  <rect x="8" y="10" width="30" height="30" fill="red"/><circle cx="68" cy="34" r="16" fill="blue"/></svg>`;

/** A multipart body as bytes plus its content type (with boundary), built by the platform's own encoder. */
async function multipart(
  fields: Record<string, string>,
  file: { bytes: Buffer; type: string },
): Promise<{ body: Buffer; type: string }> {
  const form = new FormData();
  form.set('image', new Blob([new Uint8Array(file.bytes)], { type: file.type }), 'upload');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const r = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return { body: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type')! };
}

async function kinds(apiKey: string): Promise<Kind[]> {
  const png = await sharp(Buffer.from(SHAPES)).png().toBuffer();
  const image = `data:image/png;base64,${png.toString('base64')}`;
  const auth = { authorization: `Bearer ${apiKey}` };
  const json = (path: string, body: unknown, headers: Record<string, string> = auth): Req => ({
    method: 'POST',
    path,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const upload = (path: string, m: { body: Buffer; type: string }): Req => ({
    method: 'POST',
    path,
    headers: { ...auth, 'content-type': m.type },
    body: m.body,
  });
  const question = 'How many circles are there?';
  return [
    { name: 'vqa (JSON)', good: true, expect: [200], requests: [json('/v1/vqa', { image, question })] },
    {
      name: 'vqa (upload)',
      good: true,
      expect: [200],
      requests: [upload('/v1/vqa', await multipart({ question }, { bytes: png, type: 'image/png' }))],
    },
    {
      name: 'vqa (threshold + dual cache)',
      good: true,
      expect: [200],
      requests: [json('/v1/vqa', { image, question, threshold: 0.9, dual_cache: true })],
    },
    {
      name: 'ground',
      good: true,
      expect: [200],
      requests: [json('/v1/ground', { image, description: 'the red square' })],
    },
    {
      name: 'GET /v1/models',
      good: true,
      expect: [200],
      requests: [{ method: 'GET', path: '/v1/models', headers: auth }],
    },
    { name: 'GET /healthz', good: true, expect: [200], requests: [{ method: 'GET', path: '/healthz' }] },
    {
      name: 'non-image upload',
      good: false,
      expect: [415],
      requests: [
        upload(
          '/v1/vqa',
          await multipart({ question }, { bytes: Buffer.from('plain text, not a PNG'), type: 'image/png' }),
        ),
      ],
    },
    {
      name: 'truncated PNG',
      good: false,
      expect: [422],
      requests: [
        json('/v1/vqa', {
          image: `data:image/png;base64,${png.subarray(0, png.length >> 1).toString('base64')}`,
          question,
        }),
      ],
    },
    {
      name: 'malformed JSON',
      good: false,
      expect: [400],
      requests: ['{"image": ', 'not json', '{"question": "q",}'].map((body) => ({
        method: 'POST' as const,
        path: '/v1/vqa',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      })),
    },
    {
      name: 'missing fields',
      good: false,
      expect: [400],
      requests: [
        json('/v1/vqa', { question }),
        json('/v1/ground', { image }),
        json('/v1/chat/completions', { messages: [] }),
      ],
    },
    {
      name: 'out-of-range knobs',
      good: false,
      expect: [400],
      requests: [{ steps: 0 }, { max_tokens: 100000 }, { threshold: 1.5 }, { max_tokens: 40, block_length: 16 }].map(
        (knobs) => json('/v1/vqa', { image, question, ...knobs }),
      ),
    },
    {
      name: 'unknown model',
      good: false,
      expect: [404],
      requests: [
        json('/v1/vqa', { image, question, model: 'gpt-17' }),
        json('/v1/chat/completions', { model: 'gpt-17', messages: [{ role: 'user', content: 'hi' }] }),
      ],
    },
    {
      name: 'wrong API key',
      good: false,
      expect: [401],
      requests: [
        json('/v1/vqa', { image, question }, { authorization: 'Bearer not-the-key' }),
        { method: 'GET', path: '/v1/models' },
      ],
    },
    {
      name: 'oversize body',
      good: false,
      expect: [413],
      requests: [json('/v1/vqa', { image: 'A'.repeat(BODY_LIMIT + 1024), question })],
    },
  ];
}

/** One connection per kind, then the extra ones to the model-bound kinds first (they are the slow ones). */
function allocate(list: Kind[], connections: number): number[] {
  if (connections < list.length) throw new Error(`--connections must be at least ${list.length} (one per kind)`);
  const counts = list.map(() => 1);
  const order = [...list.keys()].sort(
    (a, b) =>
      Number(list[b]!.name.startsWith('vqa') || list[b]!.name === 'ground') -
      Number(list[a]!.name.startsWith('vqa') || list[a]!.name === 'ground'),
  );
  for (let i = 0; i < connections - list.length; i++) counts[order[i % order.length]!]!++;
  return counts;
}

interface Tally {
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

/** Runs every kind at once, each on its own autocannon instance (so latencies and statuses are per kind). */
async function phase(url: string, list: Kind[], conns: number[], seconds: number): Promise<Tally[]> {
  return Promise.all(
    list.map(
      (k, i) =>
        new Promise<Tally>((done, fail) => {
          const t: Tally = { latencies: [], statuses: {}, errors: 0, timeouts: 0 };
          const inst = autocannon(
            {
              url,
              connections: conns[i],
              duration: seconds,
              timeout: 60,
              requests: k.requests.map((r) => ({
                method: r.method,
                path: r.path,
                headers: r.headers ?? {},
                body: r.body,
              })),
            },
            (err, result) => {
              if (err) return fail(err);
              t.errors = result.errors - result.timeouts; // autocannon counts timeouts among its errors
              t.timeouts = result.timeouts;
              done(t);
            },
          );
          inst.on('response', (_client, status, _bytes, ms) => {
            t.latencies.push(ms);
            t.statuses[status] = (t.statuses[status] ?? 0) + 1;
          });
        }),
    ),
  );
}

// ---- the report -------------------------------------------------------------------------------------------

function summarize(xs: number[]): LatencySummary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN); // nearest rank
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

function markdown(r: LoadReport): string {
  const rows = r.kinds.map(
    (k) =>
      `| ${k.kind} | ${k.good ? 'good' : 'bad'} | ${k.connections} | ${k.responses} | ${fmt(k.rps)} | ` +
      `${fmt(k.latency_ms.p50)} | ${fmt(k.latency_ms.p95)} | ${fmt(k.latency_ms.p99)} | ` +
      `${Object.entries(k.statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')} | ${k.unexpected} | ${k.errors + k.timeouts} |`,
  );
  const m = r.memory;
  const mem = (['warmup', 'half1', 'half2'] as const).map(
    (p) =>
      `| ${p} | ${fmt(m.phases[p].rss_end_mb)} | ${fmt(m.phases[p].rss_peak_mb)} | ${fmt(m.phases[p].heap_used_end_mb ?? NaN)} |`,
  );
  return [
    `## Load test (\`${r.command}\`)`,
    '',
    `${r.connections} connections, ${r.warmup_s} s warm-up then 2 × ${r.duration_s / 2} s measured; ${fmt(r.wall_s, 0)} s wall in all. ` +
      `Figures below cover the two measured halves.`,
    '',
    '| kind | | conns | responses | req/s | p50 ms | p95 ms | p99 ms | statuses | unexpected | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows,
    `| **all** | | ${r.connections} | ${r.totals.responses} | ${fmt(r.totals.rps)} | | | | | ${r.totals.unexpected} | ${r.totals.errors + r.totals.timeouts} |`,
    '',
    `5xx other than 503: **${r.totals.server_5xx_not_503}**. Server error-level log lines: ${r.totals.server_error_logs}.`,
    '',
    '| phase | RSS at end MiB | RSS peak MiB | V8 heap used at end MiB |',
    '| --- | ---: | ---: | ---: |',
    ...mem,
    '',
    `RSS before load ${fmt(m.rss_before_mb)} MiB, after (idle, 2 s later) ${fmt(m.rss_after_mb)} MiB with ` +
      `${fmt(m.heap_used_after_mb ?? NaN)} MiB of V8 heap used; growth end of warm-up → end ` +
      `${pct(m.growth_warmup_to_end)}, half 1 → half 2 ${pct(m.growth_half1_to_half2)} (limit ${pct(m.threshold)}). ` +
      `Shutdown (SIGTERM): exit ${r.shutdown.exit_code} in ${fmt(r.shutdown.ms, 0)} ms.`,
    '',
    r.failures.length ? `**FAILED**: ${r.failures.join('; ')}` : '**PASSED**',
    '',
  ].join('\n');
}

// ---- main -------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      connections: { type: 'string', default: '16' },
      'rss-threshold': { type: 'string', default: '0.25' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string' },
      log: { type: 'string' },
    },
  });
  const duration = Number(a.duration),
    warmup = Number(a.warmup),
    connections = Number(a.connections),
    threshold = Number(a['rss-threshold']);
  // both halves run whole seconds (autocannon's granularity); two hours is enough for a soak
  if (!Number.isInteger(duration) || duration < 2 || duration > 7200 || duration % 2)
    throw new Error('--duration must be an even number of seconds, 2–7200');
  if (!Number.isInteger(warmup) || warmup < 1 || warmup > 600) throw new Error('--warmup must be 1–600 seconds');
  if (!Number.isInteger(connections) || connections > 256) throw new Error('--connections must be an integer ≤ 256');
  assertLoopback(a.host!);

  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'lavida-load-'));
  const apiKey = randomBytes(16).toString('hex');
  const list = await kinds(apiKey);
  const conns = allocate(list, connections);
  console.error(`[load-test] starting the server on ${a.host}…`);
  const srv = await startServer(a.host!, apiKey, a.log ? resolve(a.log) : join(dir, 'server.log'));
  const pid = srv.child.pid!;
  const samples: Array<[number, number]> = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    await sleep(1000);
    const rssBefore = rssMb(pid);
    sampler = setInterval(() => {
      try {
        samples.push([Math.round(performance.now() - began), rssMb(pid)]);
      } catch {
        /* the server is gone: the phase fails on its own */
      }
    }, 250);
    const phases: Partial<Record<'warmup' | 'half1' | 'half2', PhaseMemory>> = {};
    const measured: Tally[][] = [];
    for (const [name, seconds] of [
      ['warmup', warmup],
      ['half1', duration / 2],
      ['half2', duration / 2],
    ] as const) {
      console.error(`[load-test] ${name}: ${seconds} s, ${connections} connections…`);
      const from = samples.length;
      const tallies = await phase(srv.url, list, conns, seconds);
      if (name !== 'warmup') measured.push(tallies);
      const end = rssMb(pid);
      phases[name] = {
        rss_end_mb: end,
        rss_peak_mb: Math.max(end, ...samples.slice(from).map(([, v]) => v)),
        heap_used_end_mb: await heapUsedMb(srv.url),
      };
    }
    clearInterval(sampler);
    await sleep(2000);
    const rssAfter = rssMb(pid);
    const heapAfter = await heapUsedMb(srv.url);

    const t0 = performance.now();
    srv.child.kill('SIGTERM');
    const exitCode = await Promise.race([srv.exited, sleep(40_000, null, { ref: false })]);
    const shutdownMs = performance.now() - t0;

    const serverErrorLogs = await countErrorLines(srv.logPath);
    const kindResults: KindResult[] = list.map((k, i) => {
      const t = measured.map((m) => m[i]!);
      const statuses: Record<string, number> = {};
      for (const x of t) for (const [s, n] of Object.entries(x.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
      const responses = Object.values(statuses).reduce((s, n) => s + n, 0);
      const unexpected = Object.entries(statuses)
        .filter(([s]) => !k.expect.includes(Number(s)) && s !== '429' && s !== '503')
        .reduce((s, [, n]) => s + n, 0);
      return {
        kind: k.name,
        good: k.good,
        connections: conns[i]!,
        responses,
        rps: responses / duration,
        latency_ms: summarize(t.flatMap((x) => x.latencies)),
        statuses,
        unexpected,
        errors: t.reduce((s, x) => s + x.errors, 0),
        timeouts: t.reduce((s, x) => s + x.timeouts, 0),
      };
    });
    const sum = (f: (k: KindResult) => number) => kindResults.reduce((s, k) => s + f(k), 0);
    const fiveXX = sum((k) =>
      Object.entries(k.statuses)
        .filter(([s]) => Number(s) >= 500 && s !== '503')
        .reduce((s, [, n]) => s + n, 0),
    );
    const p = phases as Record<'warmup' | 'half1' | 'half2', PhaseMemory>;
    const growthRun = p.half2.rss_end_mb / p.warmup.rss_end_mb - 1;
    const growthHalves = p.half2.rss_end_mb / p.half1.rss_end_mb - 1;
    const failures: string[] = [];
    if (fiveXX) failures.push(`${fiveXX} responses were 5xx other than 503`);
    if (sum((k) => k.unexpected))
      failures.push(`${sum((k) => k.unexpected)} responses had a status their kind does not expect`);
    const idle = kindResults.filter(
      (k, i) => !Object.keys(k.statuses).some((s) => list[i]!.expect.includes(Number(s))),
    );
    if (idle.length) failures.push(`no response with the expected status for ${idle.map((k) => k.kind).join(', ')}`);
    if (sum((k) => k.errors + k.timeouts))
      failures.push(`${sum((k) => k.errors)} transport errors and ${sum((k) => k.timeouts)} timeouts`);
    if (growthRun > threshold) failures.push(`RSS grew ${pct(growthRun)} from the end of warm-up to the end`);
    if (growthHalves > threshold) failures.push(`RSS grew ${pct(growthHalves)} from half 1 to half 2`);
    if (exitCode !== 0) failures.push(`the server exited ${exitCode} on SIGTERM`);
    const report: LoadReport = {
      command: `npm run load-test -- --duration ${duration} --warmup ${warmup} --connections ${connections}`,
      duration_s: duration,
      warmup_s: warmup,
      connections,
      wall_s: (performance.now() - began) / 1000,
      totals: {
        responses: sum((k) => k.responses),
        rps: sum((k) => k.responses) / duration,
        server_5xx_not_503: fiveXX,
        unexpected: sum((k) => k.unexpected),
        errors: sum((k) => k.errors),
        timeouts: sum((k) => k.timeouts),
        server_error_logs: serverErrorLogs,
      },
      kinds: kindResults,
      memory: {
        rss_before_mb: rssBefore,
        rss_after_mb: rssAfter,
        heap_used_after_mb: heapAfter,
        phases: p,
        growth_warmup_to_end: growthRun,
        growth_half1_to_half2: growthHalves,
        threshold,
        samples,
      },
      shutdown: { exit_code: exitCode, ms: shutdownMs },
      failures,
    };
    console.log(markdown(report));
    if (a.out) writeFileSync(a.out, `${JSON.stringify(report, null, 2)}\n`);
    if (failures.length && !a.log) console.error(`[load-test] server log kept at ${srv.logPath}`);
    else rmSync(dir, { recursive: true, force: true });
    return failures.length ? 1 : 0;
  } finally {
    clearInterval(sampler);
    if (srv.child.exitCode === null && srv.child.signalCode === null) srv.child.kill('SIGKILL');
  }
}

process.exitCode = await main().catch((e: unknown) => {
  console.error(`[load-test] ${(e as Error).message}`);
  return 1;
});
