// End to end: the real CLI against an embedded server on a model package, on world data written at test time.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { NO_PACKAGE, PACKAGE_DIR } from '../package.js';
import { tempDir, writeMMMUProMultiImage } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'lavida-eval.mjs');
const PYTHON = join(ROOT, 'train', '.venv', 'bin', 'python');
// shared CPUs: one ORT thread, one OpenMP thread
const ENV = { ...process.env, LAVIDA_WORKERS: '1', LAVIDA_INTRA_OP_THREADS: '1', OMP_NUM_THREADS: '1' };

const PKG = PACKAGE_DIR;
const SKIP = !existsSync(PYTHON) ? `no ${PYTHON} (npm run setup:python)` : NO_PACKAGE;

// made at module level: a temp folder registered inside a hook would be removed when the hook ends
const TMP = SKIP ? '' : await tempDir();
const MULTI = NO_PACKAGE ? '' : await tempDir();

const embedded = (): string[] => ['--embedded', '--models-dir', dirname(PKG!), '--model', basename(PKG!)];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: ENV });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const mkdirp = async (dir: string): Promise<string> => (await mkdir(dir, { recursive: true }), dir);

const ids = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);

const TASKS: Record<string, string | null> = {
  mathvista: 'math',
  chartqa: 'chart',
  'mmmu-pro': 'mcq',
  lisa: null,
  imgedit: null,
};

const DATA: Record<string, string> = {
  mathvista: 'MathVista',
  chartqa: 'ChartQA',
  'mmmu-pro': 'MMMU_Pro',
  lisa: 'lisa_grounding',
  imgedit: 'ImgEdit',
};

describe('lavida-eval run (embedded server, world data)', { skip: SKIP }, () => {
  const world = join(TMP, 'world');
  const runs = join(TMP, 'runs');

  before(async () => {
    await promisify(execFile)(
      PYTHON,
      ['-m', 'lavida_r1.world.make_benchmarks', '--out', world, '--seed', '3', '--size', '8'],
      { cwd: join(ROOT, 'train'), env: ENV },
    );
  });

  for (const benchmark of Object.keys(DATA)) {
    test(`${benchmark}: predictions, scores and summary for --limit 2`, async () => {
      const out = join(runs, benchmark);
      const r = await cli([
        'run',
        '--benchmark',
        benchmark,
        '--data',
        join(world, DATA[benchmark]!),
        ...embedded(),
        '--out',
        out,
        '--limit',
        '2',
        '--concurrency',
        '2',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const { run, summary } = JSON.parse(r.stdout);
      const n = benchmark === 'mmmu-pro' ? 4 : 2; // the limit applies to each MMMU-Pro setting
      assert.deepEqual([run.total, run.completed, run.model], [n, n, basename(PKG!)]);
      const canvases = JSON.parse(await readFile(join(PKG!, 'manifest.json'), 'utf8')).layout.sampling.canvases;
      const task = TASKS[benchmark]!;
      assert.deepEqual(
        [run.task, run.canvas],
        [task, task === null ? null : canvases[task]],
        "the benchmark's task and its canvas",
      );
      assert.equal(run.errors, 0, "every request answered (an HTTP error is only recorded as the sample's error)");
      assert.equal((await ids(join(out, 'predictions.jsonl'))).length, n);
      assert.equal(summary.n, n);
      assert.deepEqual(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')), summary);
      assert.equal((await readFile(join(out, 'scores.jsonl'), 'utf8')).trim().split('\n').length, n);
      assert.match(r.stderr, new RegExp(`\\[${benchmark}\\] #+ ${n}/${n} 100% .* ETA`));
      if (benchmark === 'lisa') {
        const first = JSON.parse((await readFile(join(out, 'predictions.jsonl'), 'utf8')).split('\n')[0]!);
        assert.match(first.response, /^<LOC_BEGIN>(<LOC_\d+>){4}<LOC_END>$/);
        assert.equal(first.box.length, 4);
        assert.equal(typeof summary.metrics.miou, 'number');
      }
      if (benchmark === 'imgedit') {
        assert.deepEqual((await readdir(join(out, 'images'))).sort(), ['1.png', '2.png']);
        assert.deepEqual(Object.keys(JSON.parse(await readFile(join(out, 'judge-result.json'), 'utf8'))), ['1', '2']);
        assert.equal(summary.metrics.dropped, 0);
        assert.deepEqual(summary.judge, { kind: 'world-oracle' }, 'the summary says who judged');
      }
    });
  }

  test('--knobs: every VQA request decodes with them (at most 4 passes), run.json keeps them, a resume must match', async () => {
    const out = join(runs, 'mathvista-short');
    const knobs = { max_tokens: 16, block_length: 16, steps: 4 };
    const args = [
      'run',
      '--benchmark',
      'mathvista',
      '--data',
      join(world, 'MathVista'),
      ...embedded(),
      '--out',
      out,
      '--limit',
      '2',
    ];
    const r = await cli([...args, '--knobs', JSON.stringify(knobs)]);
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    assert.deepEqual(
      [record.knobs, record.task, record.canvas],
      [knobs, 'math', 16],
      'max_tokens overrides the task canvas',
    );
    const passes = async (dir: string) =>
      new Map(
        (await readFile(join(dir, 'predictions.jsonl'), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { id: string; usage: { nfe: number } })
          .map((l) => [l.id, l.usage.nfe]),
      );
    const [short, plain] = [await passes(out), await passes(join(runs, 'mathvista'))]; // the plain run: the test above
    assert.deepEqual([...short.keys()].sort(), [...plain.keys()].sort());
    for (const [id, nfe] of short)
      assert.ok(nfe <= 4 && plain.get(id)! >= 16, `${id}: ${nfe} passes with the knobs, ${plain.get(id)} without`);
    const other = await cli([...args, '--resume', '--knobs', '{"threshold": 0.5}']);
    assert.equal(other.code, 1);
    assert.match(
      other.stderr,
      /this run was made with --knobs \{"max_tokens":16,"block_length":16,"steps":4\}, not \{"threshold":0\.5\}/,
    );
  });

  test('kill -9 mid-run, a torn line, then --resume: nothing lost, nothing duplicated', async () => {
    const out = join(runs, 'killed');
    const file = join(out, 'predictions.jsonl');
    const args = [
      'run',
      '--benchmark',
      'mathvista',
      '--data',
      join(world, 'MathVista'),
      ...embedded(),
      '--out',
      out,
      '--concurrency',
      '1',
    ];
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let written: string[] = [];
    for (let i = 0; i < 600 && written.length < 2; i++) {
      await sleep(50);
      written = existsSync(file) ? await ids(file).catch(() => []) : [];
    }
    child.kill('SIGKILL');
    await exited;
    const atKill = await readFile(file, 'utf8');
    const survivors = atKill.slice(0, atKill.lastIndexOf('\n') + 1);
    assert.ok(
      written.length >= 2 && survivors.split('\n').length - 1 < 8,
      'killed after some predictions and before the end',
    );
    await appendFile(file, '{"id":"torn-by-crash","resp'); // what a crash mid-write leaves

    const r = await cli([...args, '--resume']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /dropped a torn last line/);
    const after = await readFile(file, 'utf8');
    assert.ok(after.startsWith(survivors), 'lines written before the kill are kept as they were');
    const got = await ids(file);
    assert.equal(got.length, 8);
    assert.equal(new Set(got).size, 8, 'no id twice');
    const { summary } = JSON.parse(r.stdout);
    assert.deepEqual([summary.n, summary.missing], [8, 0], 'every record of the data has its prediction');
  });

  test('report over the runs shows their metrics', async () => {
    const dirs = Object.keys(DATA).map((b) => join(runs, b));
    const out = join(runs, 'report');
    const r = await cli(['report', '--runs', ...dirs, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    for (const b of Object.keys(DATA)) {
      const summary = JSON.parse(await readFile(join(runs, b, 'summary.json'), 'utf8'));
      const table = report.tables.find((t: { benchmark: string }) => t.benchmark === b);
      const row = table.rows.find((x: { kind: string }) => x.kind === 'run');
      for (const key of Object.keys(row.values))
        assert.equal(row.values[key], summary.metrics[key] ?? null, `${b} ${key}`);
    }
    const md = await readFile(join(out, 'report.md'), 'utf8');
    const lisa = JSON.parse(await readFile(join(runs, 'lisa', 'summary.json'), 'utf8'));
    const sha = JSON.parse(await readFile(join(runs, 'lisa', 'run.json'), 'utf8')).package_sha256 as string;
    assert.ok(
      md.includes(`| ${basename(PKG!)} @${sha.slice(0, 8)} | 2 |`),
      'rows labelled by the model and its package',
    );
    assert.ok(md.includes(lisa.metrics.miou.toFixed(1)));
    assert.ok((await readFile(join(out, 'report.html'), 'utf8')).includes('<svg'));
    const viewer = await readFile(join(out, 'samples.html'), 'utf8');
    assert.equal((viewer.match(/<article /g) ?? []).length, 2 + 2 + 4 + 2 + 2, 'every sample of the five runs');
    assert.ok(
      (viewer.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length >= 12,
      'their images inline (ImgEdit: source and edit)',
    );
  });
});

describe('lavida-eval run (embedded server): MMMU-Pro items with several images', { skip: NO_PACKAGE }, () => {
  test('a 3-image item (composed into one image, <image k> tags kept) gets a 200, as do the single-image ones', async () => {
    await writeMMMUProMultiImage(join(MULTI, 'MMMU_Pro'));
    const out = join(MULTI, 'run');
    const r = await cli([
      'run',
      '--benchmark',
      'mmmu-pro',
      '--data',
      join(MULTI, 'MMMU_Pro'),
      ...embedded(),
      '--out',
      out,
      '--concurrency',
      '2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { run } = JSON.parse(r.stdout);
    const lines = (await readFile(join(out, 'predictions.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; error?: string; usage?: unknown });
    assert.deepEqual(
      lines.filter((l) => l.error !== undefined),
      [],
      'no sample failed',
    );
    assert.deepEqual(lines.map((l) => l.id).sort(), [
      'standard/test_Art_1',
      'standard/test_Art_2',
      'standard/test_Art_3',
      'vision/test_Art_1',
    ]);
    assert.ok(
      lines.every((l) => l.usage !== undefined),
      'every line is a server answer',
    );
    assert.deepEqual([run.total, run.completed, run.errors], [4, 4, 0]);
  });
});

describe('lavida-eval run: argument and server errors', () => {
  test('exactly one of --server, --embedded and --openai', async () => {
    const r = await cli(['run', '--benchmark', 'lisa', '--data', '.', '--out', '/tmp/x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /give exactly one of --server URL, --embedded and --openai URL/);
  });

  test('a server that fails every sample: predictions and run.json record the errors, exit status 3', async () => {
    const dir = await tempDir();
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toFile(join(dir, 'a.png'));
    await appendFile(
      join(dir, 'lisa_test.json'),
      JSON.stringify(['the dog', 'the cat'].map((problem) => ({ image: 'a.png', problem, solution: [1, 2, 3, 4] }))),
    );
    const server = createServer((req, res) => {
      if (req.url === '/v1/models')
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ object: 'list', data: [{ id: 'broken', object: 'model' }] }));
      req
        .resume()
        .on('end', () =>
          res
            .writeHead(500, { 'content-type': 'application/problem+json' })
            .end(JSON.stringify({ type: 'about:blank', title: 'Internal', status: 500 })),
        );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const out = join(dir, 'out');
      const r = await cli([
        'run',
        '--benchmark',
        'lisa',
        '--data',
        join(dir, 'lisa_test.json'),
        '--server',
        url,
        '--out',
        out,
      ]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /2 of 2 samples failed .*--resume --retry-errors/);
      const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      assert.deepEqual([run.total, run.completed, run.errors], [2, 2, 2]);
      const lines = (await readFile(join(out, 'predictions.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      assert.ok(
        lines.every((l) => typeof l.error === 'string' && l.response === ''),
        JSON.stringify(lines),
      );
    } finally {
      server.close();
    }
  });

  test("each VQA request carries the benchmark's task; run.json records the served canvas (knobs override); a resume must match it", async () => {
    const dir = await tempDir();
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toFile(join(await mkdirp(join(dir, 'png')), 'a.png'));
    await appendFile(
      join(dir, 'test_human.json'),
      JSON.stringify([{ imgname: 'a.png', query: 'How many?', label: '2' }]),
    );
    await appendFile(
      join(dir, 'test_augmented.json'),
      JSON.stringify([{ imgname: 'a.png', query: 'How much?', label: '3' }]),
    );
    let chart = 96;
    const bodies: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      const json = (body: unknown): void =>
        void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/v1/models')
        return json({
          object: 'list',
          data: [
            {
              id: 'fake',
              object: 'model',
              created: 0,
              owned_by: 'x',
              lavida: { canvases: { math: 64, chart, mcq: 48 }, default_canvas: chart },
            },
          ],
        });
      let text = '';
      req
        .on('data', (c) => (text += c))
        .on('end', () => {
          bodies.push(JSON.parse(text) as Record<string, unknown>);
          json({
            id: 'v',
            object: 'vqa',
            created: 0,
            model: 'fake',
            reasoning: '',
            answer: '2',
            text: '<answer>2</answer>',
            finished: true,
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, nfe: 1 },
            timings: { image_decode_ms: 0, inference_ms: 0, total_ms: 0 },
          });
        });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const args = (out: string): string[] => [
        'run',
        '--benchmark',
        'chartqa',
        '--data',
        dir,
        '--server',
        url,
        '--out',
        join(dir, out),
      ];
      const plain = await cli([...args('plain'), '--limit', '1']);
      assert.equal(plain.code, 0, plain.stderr);
      assert.deepEqual(
        bodies.map((b) => [b.task, b.max_tokens]),
        [['chart', undefined]],
      );
      const record = JSON.parse(await readFile(join(dir, 'plain', 'run.json'), 'utf8'));
      assert.deepEqual([record.task, record.canvas], ['chart', 96]);
      bodies.length = 0;
      const knobbed = await cli([...args('knobbed'), '--knobs', '{"max_tokens": 32}']);
      assert.equal(knobbed.code, 0, knobbed.stderr);
      assert.deepEqual(
        bodies.map((b) => [b.task, b.max_tokens]),
        [
          ['chart', 32],
          ['chart', 32],
        ],
      );
      assert.equal(JSON.parse(await readFile(join(dir, 'knobbed', 'run.json'), 'utf8')).canvas, 32);
      chart = 80; // the served package's canvases changed: the unfinished run would mix two canvases
      const resumed = await cli([...args('plain'), '--resume']);
      assert.equal(resumed.code, 1);
      assert.match(resumed.stderr, /this run's requests decoded over a canvas of 96 tokens, they would now over 80/);
    } finally {
      server.close();
    }
  });

  test('--knobs must be a JSON object of known text knobs, for VQA benchmarks only', async () => {
    const base = ['run', '--data', '.', '--server', 'http://127.0.0.1:9', '--out', '/tmp/x'];
    for (const [benchmark, knobs, message] of [
      ['mathvista', '[1]', /--knobs must be a JSON object/],
      ['mathvista', '{"top_k": 5}', /unknown knob "top_k" \(known: max_tokens/],
      ['chartqa', '{"dual_cache": "yes"}', /dual_cache must be a boolean/],
      ['lisa', '{"threshold": 0.9}', /--knobs \(text decoding\) does not apply to lisa/],
    ] as const) {
      const r = await cli([...base, '--benchmark', benchmark, '--knobs', knobs]);
      assert.equal(r.code, 1, knobs);
      assert.match(r.stderr, message);
    }
  });

  test('an unreachable server fails at once, without a stack trace', async () => {
    const dir = await tempDir();
    const data = join(dir, 'lisa_test.json');
    await appendFile(data, JSON.stringify([{ image: 'a.png', problem: 'the dog', solution: [1, 2, 3, 4] }]));
    const r = await cli([
      'run',
      '--benchmark',
      'lisa',
      '--data',
      data,
      '--server',
      'http://127.0.0.1:9',
      '--out',
      join(dir, 'out'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach the server at http:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
