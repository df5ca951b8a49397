// `lavida-eval judge`: the real `openai` client against a local OpenAI-compatible judge over a socket (the one fake:
// a paid external service). The official request, retries on 429 (after Retry-After) and 500, resume after a run
// killed mid-way, step 1 parsing with an unparseable reply, the command's errors, and a judged run end to end:
// run (a stand-in editing server) → judge --run → report.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { judgeImgEdit, type JudgeOptions } from '../../eval/judge/judge.js';
import { parseObjectEntries } from '../../eval/jsonorder.js';
import { bootstrapInterval, mean } from '../../eval/report/stats.js';
import { cli, closedPort, jpeg, png, put, tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/lavida-eval.mjs', import.meta.url));
const KEY_ENV = 'LAVIDA_TEST_JUDGE_KEY';

const PROMPTS = {
  add: '\nYou are a data rater specializing in grading image addition edits.\neditin instruction is : <edit_prompt>.\n',
  adjust: 'ADJUST: <edit_prompt> (again: <edit_prompt>)',
  style: 'STYLE <edit_prompt>',
};

interface Edit {
  key: string;
  id: string;
  prompt: string;
  type: string;
  edited: boolean;
}

/** Data order on purpose not numeric: the result file must keep it. "22" has an unknown type, "5" no edited image. */
const EDITS: Edit[] = [
  {
    key: '1082',
    id: 'animal/000342021.jpg',
    prompt: "Change the tortoise's shell texture to a smooth surface.",
    type: 'adjust',
    edited: true,
  },
  {
    key: '97',
    id: 'for_add/000236569.jpg',
    prompt: 'Add an elegant chandelier in the center of the ceiling.',
    type: 'add',
    edited: true,
  },
  { key: '22', id: 'daily object/000001.jpg', prompt: 'Make it red.', type: 'mystery', edited: true },
  {
    key: '673',
    id: 'style/000673.jpg',
    prompt: 'Transfer the image into a ukiyo-e woodblock-print style.',
    type: 'style',
    edited: true,
  },
  { key: '5', id: 'style/000005.jpg', prompt: 'Make it a sketch.', type: 'style', edited: false },
];

interface Fixture {
  data: string;
  images: string;
  originals: Map<string, Buffer>;
  edited: Map<string, Buffer>;
  text: Map<string, string>;
}

/** An ImgEdit folder (singleturn.json, judge_prompt.json, source JPEGs and PNGs) and a folder of edited images. */
async function fixture(edits = EDITS): Promise<Fixture> {
  const root = await tempDir();
  const data = join(root, 'Benchmark', 'singleturn');
  const images = join(root, 'edited');
  // by hand: JSON.stringify would reorder the integer-like keys
  const rows = edits.map(
    (e) => `${JSON.stringify(e.key)}: ${JSON.stringify({ id: e.id, prompt: e.prompt, edit_type: e.type })}`,
  );
  await put(join(data, 'singleturn.json'), `{${rows.join(', ')}}`);
  await put(join(data, 'judge_prompt.json'), JSON.stringify(PROMPTS));
  const f: Fixture = { data, images, originals: new Map(), edited: new Map(), text: new Map() };
  for (const [i, e] of edits.entries()) {
    const original = i % 2 === 0 ? await jpeg(4 + i, 3) : Buffer.from(png(4 + i, 3)); // JPEGs are sent labelled image/png too
    await put(join(data, e.id), original);
    f.originals.set(e.key, original);
    if (e.edited) {
      const edited = Buffer.from(png(5, 2 + i));
      await put(join(images, `${e.key}.png`), edited);
      f.edited.set(e.key, edited);
    }
    const template = PROMPTS[e.type as keyof typeof PROMPTS] ?? PROMPTS.adjust;
    f.text.set(e.key, template.replaceAll('<edit_prompt>', e.prompt));
  }
  return f;
}

/** The key a request judges, from its prompt text. */
const keyOf = (f: Fixture, r: Post): string => [...f.text].find(([, t]) => t === textOf(r))![0];
const textOf = (r: Post): string =>
  (r.body.messages as Array<{ content: Array<{ text?: string }> }>)[0]!.content[0]!.text ?? '';

interface Post {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}
type Reply = { status: number; headers?: Record<string, string>; body: unknown } | 'kill';
interface FakeJudge {
  url: string;
  posts: Post[];
  close(): Promise<void>;
}

const completion = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
});
const ok = (content: string): Reply => ({ status: 200, body: completion(content) });
const apiError = (status: number, message: string, headers?: Record<string, string>): Reply => ({
  status,
  headers,
  body: { error: { message, type: 'x', param: null, code: null } },
});

/** An OpenAI-compatible endpoint on 127.0.0.1: GET /v1/models, and POST answers from `answer(post, index)`. */
async function fakeJudge(answer: (post: Post, index: number) => Reply, onKill?: () => void): Promise<FakeJudge> {
  const posts: Post[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] }));
        return;
      }
      const post: Post = {
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(data) as Record<string, unknown>,
        at: Date.now(),
      };
      posts.push(post);
      const reply = answer(post, posts.length - 1);
      if (reply === 'kill') {
        onKill?.(); // the client dies before an answer: the response never comes
        return;
      }
      res
        .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        .end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    posts,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const options = (f: Fixture, judge: FakeJudge, over: Partial<JudgeOptions> = {}): JudgeOptions => ({
  data: f.data,
  images: f.images,
  out: join(f.images, 'result.json'),
  endpoint: { url: judge.url, model: 'gpt-4o', apiKeyEnv: KEY_ENV },
  concurrency: 1,
  timeoutMs: 10_000,
  resume: false,
  progressEverySeconds: 60,
  ...over,
});

const entries = async (file: string): Promise<Array<[string, unknown]>> =>
  parseObjectEntries(await readFile(file, 'utf8'), file);

const REPLY = 'Brief reasoning: ok.\nPrompt Compliance: 4\nVisual Naturalness: 3\nPhysical & Detail Integrity: 3';

process.env[KEY_ENV] = 'sk-test';

describe('lavida-eval judge: requests through the openai client', () => {
  test('the official request per edit type: one user message, prompt text, original and edited image as data:image/png', async () => {
    const f = await fixture();
    const judge = await fakeJudge(() => ok(REPLY));
    try {
      const r = await judgeImgEdit(options(f, judge));
      assert.equal(judge.posts.length, 4, 'every edit with an edited image, once; "5" has none');
      for (const post of judge.posts) {
        const key = keyOf(f, post);
        const png64 = (b: Buffer) => `data:image/png;base64,${b.toString('base64')}`;
        assert.equal(post.url, '/v1/chat/completions');
        assert.equal(post.headers.authorization, 'Bearer sk-test');
        assert.deepEqual(
          post.body,
          {
            model: 'gpt-4o',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: f.text.get(key) },
                  { type: 'image_url', image_url: { url: png64(f.originals.get(key)!) } },
                  { type: 'image_url', image_url: { url: png64(f.edited.get(key)!) } },
                ],
              },
            ],
          },
          `key ${key}: exactly the official body (no temperature, no length)`,
        );
      }
      assert.deepEqual(
        judge.posts.map((p) => keyOf(f, p)),
        ['1082', '97', '22', '673'],
      );
      assert.equal(
        textOf(judge.posts[2]!),
        'ADJUST: Make it red. (again: Make it red.)',
        "an unknown type gets adjust's prompt, every <edit_prompt> replaced",
      );
      assert.deepEqual(
        await entries(join(f.images, 'result.json')),
        ['1082', '97', '22', '673'].map((k) => [k, REPLY]),
        "the data's order",
      );
      assert.deepEqual([r.total, r.judged, r.kept, r.errors, r.unparseable, r.withoutImage], [4, 4, 0, [], [], 1]);
      assert.equal(r.summary.metrics.adjust, 3.33);
      assert.equal(r.summary.missing, 1);
    } finally {
      await judge.close();
    }
  });

  test('a 429 is retried after its Retry-After, by the client (one judge call)', async () => {
    const f = await fixture(EDITS.slice(0, 1));
    const judge = await fakeJudge((_, i) =>
      i === 0 ? apiError(429, 'Rate limit reached', { 'retry-after': '1' }) : ok(REPLY),
    );
    try {
      const r = await judgeImgEdit(options(f, judge));
      assert.equal(judge.posts.length, 2);
      const waited = judge.posts[1]!.at - judge.posts[0]!.at;
      assert.ok(waited >= 950, `waited ${waited} ms, Retry-After said 1 s`);
      assert.equal(judge.posts[1]!.headers['x-stainless-retry-count'], '1', 'a retry of the same call');
      assert.deepEqual(judge.posts[1]!.body, judge.posts[0]!.body);
      assert.deepEqual(await entries(join(f.images, 'result.json')), [['1082', REPLY]]);
      assert.deepEqual(r.errors, []);
    } finally {
      await judge.close();
    }
  });

  test('a 500 is retried with backoff; a 400 is not, and is recorded as {"error"}', async () => {
    const f = await fixture(EDITS.slice(0, 2));
    const judge = await fakeJudge((post, i) =>
      i === 0 ? apiError(500, 'boom') : keyOf(f, post) === '97' ? apiError(400, 'image too large') : ok(REPLY),
    );
    try {
      const r = await judgeImgEdit(options(f, judge));
      assert.deepEqual(
        judge.posts.map((p) => [keyOf(f, p), p.headers['x-stainless-retry-count']]),
        [
          ['1082', '0'],
          ['1082', '1'],
          ['97', '0'],
        ],
      );
      const saved = await entries(join(f.images, 'result.json'));
      assert.deepEqual(saved[0], ['1082', REPLY]);
      assert.match((saved[1]![1] as { error: string }).error, /^400 image too large$/);
      assert.deepEqual(r.errors, ['97']);
    } finally {
      await judge.close();
    }
  });
});

/** The CLI in a child process; `onSpawn` gets it (to kill it). */
function judgeCli(
  args: string[],
  onSpawn?: (kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'judge', ...args], { env: process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  onSpawn?.(() => child.kill('SIGKILL'));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('lavida-eval judge: the command', () => {
  test('resume after a killed run: only the failed and the missing keys are asked again', async () => {
    const f = await fixture();
    let kill = (): void => undefined;
    const first = await fakeJudge(
      (_post, i) => (i === 0 ? ok(REPLY) : i === 1 ? apiError(400, 'bad image') : 'kill'),
      () => kill(),
    );
    const args = [
      '--data',
      f.data,
      '--images',
      f.images,
      '--openai',
      first.url,
      '--model',
      'gpt-4o',
      '--api-key-env',
      KEY_ENV,
      '--concurrency',
      '1',
    ];
    try {
      const killed = await judgeCli(args, (k) => (kill = k));
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      assert.deepEqual(
        first.posts.map((p) => keyOf(f, p)),
        ['1082', '97', '22'],
      );
    } finally {
      await first.close();
    }
    const result = join(f.images, 'result.json');
    const saved = await entries(result);
    assert.deepEqual(
      saved.map(([k]) => k),
      ['1082', '97'],
      'a valid file with what was judged before the kill',
    );
    assert.deepEqual(saved[1]![1], { error: '400 bad image' });

    const second = await fakeJudge((post) => ok(`${REPLY}\nfor: ${keyOf(f, post)}`));
    try {
      const again = [
        '--data',
        f.data,
        '--images',
        f.images,
        '--openai',
        second.url,
        '--model',
        'gpt-4o',
        '--api-key-env',
        KEY_ENV,
        '--concurrency',
        '1',
      ];
      const refused = await judgeCli(again);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /result\.json already holds judge results: pass --resume to continue it/);
      assert.equal(second.posts.length, 0);

      const resumed = await judgeCli([...again, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resuming: 1 judged, 3 to go/);
      assert.deepEqual(
        second.posts.map((p) => keyOf(f, p)),
        ['97', '22', '673'],
        'the errored key and the missing ones, not 1082',
      );
      const out = JSON.parse(resumed.stdout);
      assert.deepEqual([out.judge.total, out.judge.judged, out.judge.kept, out.judge.errors], [4, 3, 1, 0]);
      assert.deepEqual(await entries(result), [
        ['1082', REPLY],
        ...['97', '22', '673'].map((k) => [k, `${REPLY}\nfor: ${k}`]),
      ]);
    } finally {
      await second.close();
    }
  });

  test('parsing as official step 1: an unparseable reply is counted, listed and dropped, never a zero', async () => {
    const f = await fixture();
    const replies: Record<string, string> = {
      1082: REPLY, // 4, 3, 3 → 3.33
      97: '**Prompt Compliance:** 4\n**Visual Naturalness:** 4\n**Physical & Detail Coherence:** 4', // no score line
      22: 'Brief reasoning: none: at all\nPrompt Compliance: 1\nVisual Seamlessness: 1\nPhysical & Detail Fidelity: 1', // 1
      673: 'Brief reasoning: 5\nStyle Fidelity: 4\nContent Preservation: 5\nRendering Quality: 4', // the "5" counts: 4.5
    };
    const judge = await fakeJudge((post) => ok(replies[keyOf(f, post)]!));
    try {
      const r = await judgeCli([
        '--data',
        f.data,
        '--images',
        f.images,
        '--openai',
        judge.url,
        '--model',
        'gpt-4o',
        '--out',
        join(f.images, 'judged.json'),
      ]);
      assert.equal(r.code, 0, r.stderr);
      const { judge: counts, summary } = JSON.parse(r.stdout);
      assert.equal(counts.result, join(f.images, 'judged.json'));
      assert.deepEqual([counts.unparseable, counts.errors, counts.without_image], [1, 0, 1]);
      // "22" was judged with adjust's prompt but is scored under its own type, as step 2 groups by edit_type
      assert.deepEqual(summary.metrics, {
        adjust: 3.33,
        style: 4.5,
        mystery: 1,
        overall: (3.33 + 4.5 + 1) / 3,
        sample_mean: (3.33 + 1 + 4.5) / 3,
        dropped: 1,
        unparseable: 1,
      });
      assert.match(r.stderr, /1 judge replies have no "Label: N" score line and are dropped from the scores: 97/);
      assert.equal(judge.posts[0]!.headers.authorization, 'Bearer EMPTY', 'no --api-key-env: no key of ours is sent');
    } finally {
      await judge.close();
    }
  });

  test('--help documents the endpoint, model, key variable, concurrency and resume', async () => {
    const r = await cli(['judge', '--help']);
    assert.equal(r.code, 0);
    for (const o of [
      '--openai URL',
      '--model NAME',
      '--api-key-env VAR',
      '--concurrency K',
      '--resume',
      '--out FILE',
      '--timeout-ms MS',
    ])
      assert.ok(r.stdout.includes(o), o);
  });

  test('errors: a refused key stops the run, an unreachable endpoint, missing options; clear messages, no stack', async () => {
    const f = await fixture();
    const judge = await fakeJudge(() => apiError(401, 'Incorrect API key provided'));
    const base = ['--data', f.data, '--images', f.images, '--model', 'gpt-4o'];
    try {
      const refused = await cli(['judge', ...base, '--openai', judge.url, '--concurrency', '1']);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /\nlavida-eval: error: the judge endpoint refused the request: 401 Incorrect API key provided \(check --openai, --model and --api-key-env\)\n$/,
      );
      assert.equal(judge.posts.length, 1, 'no request after the refusal');
    } finally {
      await judge.close();
    }
    const chartRun = join(await tempDir(), 'chart');
    await put(join(chartRun, 'run.json'), JSON.stringify({ benchmark: 'chartqa', data: f.data }));
    const port = await closedPort();
    const unreachable = await cli(['judge', ...base, '--openai', `http://127.0.0.1:${port}/v1`]);
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /cannot reach the OpenAI-compatible endpoint at http:\/\/127\.0\.0\.1:\d+\/v1: .*ECONNREFUSED/,
    );
    const cases: Array<[string[], RegExp]> = [
      [['--data', f.data, '--images', f.images, '--openai', 'http://127.0.0.1:1/v1'], /missing --model/],
      [[...base, '--openai', 'http://u:sk@127.0.0.1:1/v1'], /put no credentials in the URL/],
      [
        [...base, '--openai', 'http://127.0.0.1:1/v1', '--api-key-env', 'LAVIDA_TEST_UNSET_VAR'],
        /the API key variable LAVIDA_TEST_UNSET_VAR is not set/,
      ],
      [
        [...base, '--openai', 'http://127.0.0.1:1/v1', '--concurrency', '0'],
        /--concurrency must be a positive integer/,
      ],
      [
        ['--data', f.data, '--images', join(f.data, 'none'), '--openai', 'http://127.0.0.1:1/v1', '--model', 'm'],
        /--images .*none: not a folder/,
      ],
      [
        ['--run', chartRun, '--images', f.images, '--openai', 'http://127.0.0.1:1/v1', '--model', 'm'],
        /--run takes the data and the images from the run folder: leave out --data and --images/,
      ],
      [
        ['--run', chartRun, '--openai', 'http://127.0.0.1:1/v1', '--model', 'm'],
        /--run .*chart: a chartqa run; the judge takes ImgEdit runs/,
      ],
      [
        ['--run', f.images, '--openai', 'http://127.0.0.1:1/v1', '--model', 'm'],
        /edited\/run\.json not found: is this a `lavida-eval run` output folder\?/,
      ],
    ];
    for (const [args, want] of cases) {
      const r = await cli(['judge', ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});

/** A LaViDa-R1 server stand-in for `run --benchmark imgedit`: GET /v1/models, and every POST /v1/edit answered with one PNG. */
async function fakeEditor(): Promise<{ url: string; close(): Promise<void> }> {
  const edited = Buffer.from(png(5, 4)).toString('base64');
  const server = createServer((req, res) => {
    const json = (body: unknown): void =>
      void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/v1/models')
      return json({ object: 'list', data: [{ id: 'fake-editor', object: 'model', created: 0, owned_by: 'x' }] });
    req.resume().on('end', () =>
      json({
        id: 'e',
        object: 'edit',
        created: 0,
        model: 'fake-editor',
        plan: 'a plan',
        image: { b64_json: edited, mime_type: 'image/png', width: 5, height: 4 },
        settings: {},
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, nfe: 2 },
        timings: { image_decode_ms: 0, inference_ms: 0, total_ms: 0 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('a judged run folder: run → judge --run → report', () => {
  test("the judge writes the run's summary.json and scores.jsonl with who judged; the report shows its ImgEdit numbers and judge", async () => {
    const f = await fixture();
    const root = await tempDir();
    const run = join(root, 'run');
    const replies: Record<string, string> = {
      1082: REPLY, // adjust: 4, 3, 3 → 3.33
      97: '**Prompt Compliance:** 4\n**Visual Naturalness:** 4', // add: no score line, dropped
      22: 'Prompt Compliance: 1\nVisual Seamlessness: 1\nPhysical & Detail Fidelity: 1', // mystery: 1
      673: 'Style Fidelity: 5\nContent Preservation: 4\nRendering Quality: 4', // style: 4.33
      5: 'Style Fidelity: 3\nContent Preservation: 3\nRendering Quality: 2', // style: 2.67
    };
    // by hand: the type means (style: (4.33 + 2.67) / 2), their mean, the mean of the kept samples in data order
    const types = { adjust: 3.33, style: 3.5, mystery: 1 };
    const overall = (3.33 + 3.5 + 1) / 3;
    const sampleMean = (3.33 + 1 + 4.33 + 2.67) / 4;
    const editor = await fakeEditor();
    const judge = await fakeJudge((post) => ok(replies[keyOf(f, post)]!));
    try {
      const ran = await cli(['run', '--benchmark', 'imgedit', '--data', f.data, '--server', editor.url, '--out', run]);
      assert.equal(ran.code, 0, ran.stderr);
      assert.ok(ran.stderr.includes(`lavida-eval judge --run ${run} --openai URL --model NAME`), ran.stderr);
      assert.equal(JSON.parse(ran.stdout).summary, null, 'not scored until judged');

      const judged = await cli([
        'judge',
        '--run',
        run,
        '--openai',
        judge.url,
        '--model',
        'gpt-4o',
        '--api-key-env',
        KEY_ENV,
      ]);
      assert.equal(judged.code, 0, judged.stderr);
      assert.equal(judge.posts.length, 5, 'every edit the run made');
      const out = JSON.parse(judged.stdout);
      assert.deepEqual(
        [out.judge.result, out.judge.run, out.judge.total, out.judge.unparseable],
        [join(run, 'images', 'result.json'), run, 5, 1],
      );
      const summary = JSON.parse(await readFile(join(run, 'summary.json'), 'utf8'));
      assert.deepEqual(summary, out.summary, 'summary.json is what the command prints');
      const sha = createHash('sha256')
        .update(await readFile(join(f.data, 'judge_prompt.json')))
        .digest('hex');
      assert.deepEqual(summary.judge, { kind: 'openai', url: judge.url, model: 'gpt-4o', prompts_sha256: sha });
      assert.deepEqual([summary.benchmark, summary.n, summary.missing], ['imgedit', 5, 0]);
      assert.deepEqual(summary.metrics, { ...types, overall, sample_mean: sampleMean, dropped: 1, unparseable: 1 });
      const rows = (await readFile(join(run, 'scores.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        rows.map((r) => [r.id, r.edit_type, r.avg]),
        [
          ['1082', 'adjust', 3.33],
          ['97', 'add', null],
          ['22', 'mystery', 1],
          ['673', 'style', 4.33],
          ['5', 'style', 2.67],
        ],
      );

      const dir = join(root, 'report');
      const reported = await cli(['report', '--runs', run, '--out', dir]);
      assert.equal(reported.code, 0, reported.stderr);
      const table = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).tables.find(
        (t: { benchmark: string }) => t.benchmark === 'imgedit',
      );
      const row = table.rows[0];
      const judgeText = `gpt-4o at ${judge.url}, judge prompts sha256 ${sha.slice(0, 8)}`;
      assert.deepEqual([row.kind, row.label, row.n, row.errors, row.judge], ['run', 'fake-editor', 5, 0, judgeText]);
      assert.deepEqual(row.values, { overall, sample_mean: sampleMean });
      assert.deepEqual(row.rates, { 'unscored judge replies %': 20 });
      // the report's bootstraps: overall resampled within each edit type (judged rows by type, in row order), the sample mean over all
      assert.deepEqual(row.intervals, {
        overall: bootstrapInterval([[3.33], [1], [4.33, 2.67]], (strata) => mean(strata.map(mean))),
        sample_mean: bootstrapInterval([[3.33, 1, 4.33, 2.67]], ([xs]) => mean(xs!)),
      });
      assert.deepEqual(
        table.categories.map((c: { title: string }) => c.title),
        ['by edit type (1–5)'],
      );
      assert.deepEqual(
        table.categories[0].rows.map((r: { category: string; cells: Array<{ value: number }> }) => [
          r.category,
          r.cells[0]!.value,
        ]),
        Object.entries(types),
      );
      const md = await readFile(join(dir, 'report.md'), 'utf8');
      const { lo, hi } = row.intervals.overall;
      assert.ok(
        md.includes(`| fake-editor | 5 | 0 | ${overall.toFixed(2)} [${lo.toFixed(2)}, ${hi.toFixed(2)}] |`),
        md,
      );
      assert.ok(md.includes(`- fake-editor: judged by ${judgeText}`), md);
      assert.ok((await readFile(join(dir, 'report.html'), 'utf8')).includes(`fake-editor: judged by ${judgeText}`));
      const viewer = await readFile(join(dir, 'samples.html'), 'utf8');
      assert.equal((viewer.match(/<article /g) ?? []).length, 5);
      assert.ok(
        viewer.includes('3.33 / 5') && viewer.includes('no score in the judge reply'),
        "the judge's scores in the sample viewer",
      );
    } finally {
      await Promise.all([editor.close(), judge.close()]);
    }
  });
});
