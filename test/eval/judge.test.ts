// `lavida-eval judge`: the real `openai` client against a local OpenAI-compatible judge over a socket (the one fake:
// a paid external service). The official request, retries on 429 (after Retry-After) and 500, resume after a run
// killed mid-way, step 1 parsing with an unparseable reply, and the command's errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { judgeImgEdit, type JudgeOptions } from '../../eval/judge/judge.js';
import { parseObjectEntries } from '../../eval/jsonorder.js';
import { cli, jpeg, png, put, tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/lavida-eval.mjs', import.meta.url));
const KEY_ENV = 'LAVIDA_TEST_JUDGE_KEY';

const PROMPTS = {
  add: '\nYou are a data rater specializing in grading image addition edits.\neditin instruction is : <edit_prompt>.\n',
  adjust: 'ADJUST: <edit_prompt> (again: <edit_prompt>)',
  style: 'STYLE <edit_prompt>',
};

interface Edit { key: string; id: string; prompt: string; type: string; edited: boolean }

/** Data order on purpose not numeric: the result file must keep it. "22" has an unknown type, "5" no edited image. */
const EDITS: Edit[] = [
  { key: '1082', id: 'animal/000342021.jpg', prompt: "Change the tortoise's shell texture to a smooth surface.", type: 'adjust', edited: true },
  { key: '97', id: 'for_add/000236569.jpg', prompt: 'Add an elegant chandelier in the center of the ceiling.', type: 'add', edited: true },
  { key: '22', id: 'daily object/000001.jpg', prompt: 'Make it red.', type: 'mystery', edited: true },
  { key: '673', id: 'style/000673.jpg', prompt: 'Transfer the image into a ukiyo-e woodblock-print style.', type: 'style', edited: true },
  { key: '5', id: 'style/000005.jpg', prompt: 'Make it a sketch.', type: 'style', edited: false },
];

interface Fixture { data: string; images: string; originals: Map<string, Buffer>; edited: Map<string, Buffer>; text: Map<string, string> }

/** An ImgEdit folder (singleturn.json, judge_prompt.json, source JPEGs and PNGs) and a folder of edited images. */
async function fixture(edits = EDITS): Promise<Fixture> {
  const root = await tempDir();
  const data = join(root, 'Benchmark', 'singleturn');
  const images = join(root, 'edited');
  // by hand: JSON.stringify would reorder the integer-like keys
  const rows = edits.map((e) => `${JSON.stringify(e.key)}: ${JSON.stringify({ id: e.id, prompt: e.prompt, edit_type: e.type })}`);
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
const textOf = (r: Post): string => ((r.body.messages as Array<{ content: Array<{ text?: string }> }>)[0]!.content[0]!.text ?? '');

interface Post { url: string; headers: IncomingHttpHeaders; body: Record<string, unknown>; at: number }
type Reply = { status: number; headers?: Record<string, string>; body: unknown } | 'kill';
interface FakeJudge { url: string; posts: Post[]; close(): Promise<void> }

const completion = (content: string) => ({
  id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
});
const ok = (content: string): Reply => ({ status: 200, body: completion(content) });
const apiError = (status: number, message: string, headers?: Record<string, string>): Reply => ({ status, headers, body: { error: { message, type: 'x', param: null, code: null } } });

/** An OpenAI-compatible endpoint on 127.0.0.1: GET /v1/models, and POST answers from `answer(post, index)`. */
async function fakeJudge(answer: (post: Post, index: number) => Reply, onKill?: () => void): Promise<FakeJudge> {
  const posts: Post[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] }));
        return;
      }
      const post: Post = { url: req.url ?? '', headers: req.headers, body: JSON.parse(data) as Record<string, unknown>, at: Date.now() };
      posts.push(post);
      const reply = answer(post, posts.length - 1);
      if (reply === 'kill') {
        onKill?.(); // the client dies before an answer: the response never comes
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    posts,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const options = (f: Fixture, judge: FakeJudge, over: Partial<JudgeOptions> = {}): JudgeOptions => ({
  data: f.data, images: f.images, out: join(f.images, 'result.json'), endpoint: { url: judge.url, model: 'gpt-4o', apiKeyEnv: KEY_ENV },
  concurrency: 1, timeoutMs: 10_000, resume: false, progressEverySeconds: 60, ...over,
});

const entries = async (file: string): Promise<Array<[string, unknown]>> => parseObjectEntries(await readFile(file, 'utf8'), file);

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
        assert.deepEqual(post.body, {
          model: 'gpt-4o',
          messages: [{
            role: 'user',
            content: [
              { type: 'text', text: f.text.get(key) },
              { type: 'image_url', image_url: { url: png64(f.originals.get(key)!) } },
              { type: 'image_url', image_url: { url: png64(f.edited.get(key)!) } },
            ],
          }],
        }, `key ${key}: exactly the official body (no temperature, no length)`);
      }
      assert.deepEqual(judge.posts.map((p) => keyOf(f, p)), ['1082', '97', '22', '673']);
      assert.equal(textOf(judge.posts[2]!), 'ADJUST: Make it red. (again: Make it red.)', 'an unknown type gets adjust\'s prompt, every <edit_prompt> replaced');
      assert.deepEqual(await entries(join(f.images, 'result.json')), ['1082', '97', '22', '673'].map((k) => [k, REPLY]), 'the data\'s order');
      assert.deepEqual([r.total, r.judged, r.kept, r.errors, r.unparseable, r.withoutImage], [4, 4, 0, [], [], 1]);
      assert.equal(r.summary.metrics.adjust, 3.33);
      assert.equal(r.summary.missing, 1);
    } finally {
      await judge.close();
    }
  });

  test('a 429 is retried after its Retry-After, by the client (one judge call)', async () => {
    const f = await fixture(EDITS.slice(0, 1));
    const judge = await fakeJudge((_, i) => (i === 0 ? apiError(429, 'Rate limit reached', { 'retry-after': '1' }) : ok(REPLY)));
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
    const judge = await fakeJudge((post, i) => (i === 0 ? apiError(500, 'boom') : keyOf(f, post) === '97' ? apiError(400, 'image too large') : ok(REPLY)));
    try {
      const r = await judgeImgEdit(options(f, judge));
      assert.deepEqual(judge.posts.map((p) => [keyOf(f, p), p.headers['x-stainless-retry-count']]), [['1082', '0'], ['1082', '1'], ['97', '0']]);
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
function judgeCli(args: string[], onSpawn?: (kill: () => void) => void): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
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
    const first = await fakeJudge((post, i) => (i === 0 ? ok(REPLY) : i === 1 ? apiError(400, 'bad image') : 'kill'), () => kill());
    const args = ['--data', f.data, '--images', f.images, '--openai', first.url, '--model', 'gpt-4o', '--api-key-env', KEY_ENV, '--concurrency', '1'];
    try {
      const killed = await judgeCli(args, (k) => (kill = k));
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      assert.deepEqual(first.posts.map((p) => keyOf(f, p)), ['1082', '97', '22']);
    } finally {
      await first.close();
    }
    const result = join(f.images, 'result.json');
    const saved = await entries(result);
    assert.deepEqual(saved.map(([k]) => k), ['1082', '97'], 'a valid file with what was judged before the kill');
    assert.deepEqual(saved[1]![1], { error: '400 bad image' });

    const second = await fakeJudge((post) => ok(`${REPLY}\nfor: ${keyOf(f, post)}`));
    try {
      const again = ['--data', f.data, '--images', f.images, '--openai', second.url, '--model', 'gpt-4o', '--api-key-env', KEY_ENV, '--concurrency', '1'];
      const refused = await judgeCli(again);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /result\.json already holds judge results: pass --resume to continue it/);
      assert.equal(second.posts.length, 0);

      const resumed = await judgeCli([...again, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resuming: 1 judged, 3 to go/);
      assert.deepEqual(second.posts.map((p) => keyOf(f, p)), ['97', '22', '673'], 'the errored key and the missing ones, not 1082');
      const out = JSON.parse(resumed.stdout);
      assert.deepEqual([out.judge.total, out.judge.judged, out.judge.kept, out.judge.errors], [4, 3, 1, 0]);
      assert.deepEqual(await entries(result), [['1082', REPLY], ...['97', '22', '673'].map((k) => [k, `${REPLY}\nfor: ${k}`])]);
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
      const r = await judgeCli(['--data', f.data, '--images', f.images, '--openai', judge.url, '--model', 'gpt-4o', '--out', join(f.images, 'judged.json')]);
      assert.equal(r.code, 0, r.stderr);
      const { judge: counts, summary } = JSON.parse(r.stdout);
      assert.equal(counts.result, join(f.images, 'judged.json'));
      assert.deepEqual([counts.unparseable, counts.errors, counts.without_image], [1, 0, 1]);
      // "22" was judged with adjust's prompt but is scored under its own type, as step 2 groups by edit_type
      assert.deepEqual(summary.metrics, { adjust: 3.33, style: 4.5, mystery: 1, overall: (3.33 + 4.5 + 1) / 3, sample_mean: (3.33 + 1 + 4.5) / 3, dropped: 1, unparseable: 1 });
      assert.match(r.stderr, /1 judge replies have no "Label: N" score line and are dropped from the scores: 97/);
      assert.equal(judge.posts[0]!.headers.authorization, 'Bearer EMPTY', 'no --api-key-env: no key of ours is sent');
    } finally {
      await judge.close();
    }
  });

  test('--help documents the endpoint, model, key variable, concurrency and resume', async () => {
    const r = await cli(['judge', '--help']);
    assert.equal(r.code, 0);
    for (const o of ['--openai URL', '--model NAME', '--api-key-env VAR', '--concurrency K', '--resume', '--out FILE', '--timeout-ms MS']) assert.ok(r.stdout.includes(o), o);
  });

  test('errors: a refused key stops the run, an unreachable endpoint, missing options; clear messages, no stack', async () => {
    const f = await fixture();
    const judge = await fakeJudge(() => apiError(401, 'Incorrect API key provided'));
    const base = ['--data', f.data, '--images', f.images, '--model', 'gpt-4o'];
    try {
      const refused = await cli(['judge', ...base, '--openai', judge.url, '--concurrency', '1']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /\nlavida-eval: error: the judge endpoint refused the request: 401 Incorrect API key provided \(check --openai, --model and --api-key-env\)\n$/);
      assert.equal(judge.posts.length, 1, 'no request after the refusal');
    } finally {
      await judge.close();
    }
    const port = await closedPort();
    const unreachable = await cli(['judge', ...base, '--openai', `http://127.0.0.1:${port}/v1`]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach the OpenAI-compatible endpoint at http:\/\/127\.0\.0\.1:\d+\/v1: .*ECONNREFUSED/);
    const cases: Array<[string[], RegExp]> = [
      [['--data', f.data, '--images', f.images, '--openai', 'http://127.0.0.1:1/v1'], /missing --model/],
      [[...base, '--openai', 'http://u:sk@127.0.0.1:1/v1'], /put no credentials in the URL/],
      [[...base, '--openai', 'http://127.0.0.1:1/v1', '--api-key-env', 'LAVIDA_TEST_UNSET_VAR'], /the API key variable LAVIDA_TEST_UNSET_VAR is not set/],
      [[...base, '--openai', 'http://127.0.0.1:1/v1', '--concurrency', '0'], /--concurrency must be a positive integer/],
      [['--data', f.data, '--images', join(f.data, 'none'), '--openai', 'http://127.0.0.1:1/v1', '--model', 'm'], /--images .*none: not a folder/],
    ];
    for (const [args, want] of cases) {
      const r = await cli(['judge', ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});

/** A port nothing listens on: one the OS handed out, then closed. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
