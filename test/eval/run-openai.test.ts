// `lavida-eval run --openai`: our real server over a socket, asked through /v1/chat/completions and through the
// REST API (--server), must give the same answers and scores sample by sample; and the backend's argument and
// connection errors.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { useServer } from '../server/harness.js';
import { MODEL_ID, NO_PACKAGE, PACKAGE_DIR } from '../package.js';
import { cli, closedPort, put, solidPng, tempDir, type Rgb } from './helpers.js';

const ENV = { LAVIDA_WORKERS: '1', LAVIDA_INTRA_OP_THREADS: '1', OMP_NUM_THREADS: '1' };

/** A ChartQA test folder: three questions on three charts of different colours. */
async function chartqa(dir: string): Promise<string> {
  const charts: Array<[string, Rgb, string, string]> = [
    ['red.png', [200, 30, 30], 'What colour is the chart?', 'red'],
    ['green.png', [30, 200, 30], 'How many bars are there?', '3'],
    ['blue.png', [30, 30, 200], 'What is the highest value?', '42'],
  ];
  for (const [name, rgb] of charts) await put(join(dir, 'png', name), await solidPng(32, 24, rgb));
  await put(
    join(dir, 'test_human.json'),
    JSON.stringify(charts.map(([imgname, , query, label]) => ({ imgname, query, label }))),
  );
  await put(join(dir, 'test_augmented.json'), '[]');
  return dir;
}

const lines = async (file: string): Promise<Array<Record<string, unknown>>> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const byId = (rows: Array<Record<string, unknown>>): Map<unknown, Record<string, unknown>> =>
  new Map(rows.map((r) => [r.id, r]));

describe("lavida-eval run --openai against our server's /v1/chat/completions", { skip: NO_PACKAGE }, () => {
  const server = useServer();

  // ChartQA: its task canvas (chart) is the package's default canvas, the one chat decodes over, so both paths
  // decode greedily over the same canvas with the same steps and blocks
  test('ChartQA: the same answers and scores as --server, sample by sample; run.json records the backend', async () => {
    const dir = await tempDir();
    const data = await chartqa(join(dir, 'ChartQA'));
    const manifest = JSON.parse(await readFile(join(PACKAGE_DIR, 'manifest.json'), 'utf8'));
    assert.equal(
      manifest.layout.sampling.canvases.chart,
      manifest.layout.sampling.text.gen_length,
      'the premise: chart canvas = chat canvas',
    );
    const common = ['run', '--benchmark', 'chartqa', '--data', data];
    const viaServer = await cli([...common, '--server', server.url, '--out', join(dir, 'server')], ENV);
    assert.equal(viaServer.code, 0, viaServer.stderr);
    const viaChat = await cli(
      [...common, '--openai', `${server.url}/v1`, '--model', MODEL_ID, '--out', join(dir, 'openai')],
      ENV,
    );
    assert.equal(viaChat.code, 0, viaChat.stderr);

    const [rest, chat] = [
      await lines(join(dir, 'server', 'predictions.jsonl')),
      await lines(join(dir, 'openai', 'predictions.jsonl')),
    ];
    assert.equal(chat.length, 3);
    assert.ok(
      chat.every((l) => l.error === undefined),
      'every chat request answered',
    );
    const restById = byId(rest);
    for (const line of chat) {
      const twin = restById.get(line.id)!;
      assert.deepEqual(
        [line.response, line.text],
        [twin.response, twin.text],
        `sample ${String(line.id)}: the same answer and text`,
      );
    }
    const [restScores, chatScores] = [
      byId(await lines(join(dir, 'server', 'scores.jsonl'))),
      await lines(join(dir, 'openai', 'scores.jsonl')),
    ];
    assert.equal(chatScores.length, 3);
    for (const s of chatScores) assert.deepEqual(s, restScores.get(s.id), `sample ${String(s.id)}: the same score`);
    assert.deepEqual(JSON.parse(viaChat.stdout).summary.metrics, JSON.parse(viaServer.stdout).summary.metrics);

    const record = JSON.parse(await readFile(join(dir, 'openai', 'run.json'), 'utf8'));
    assert.deepEqual(record.backend, { kind: 'openai', url: `${server.url}/v1`, model: MODEL_ID });
    assert.deepEqual(
      [record.task, record.canvas, record.package_sha256],
      [null, null, null],
      'a chat request carries no task',
    );
    const restRecord = JSON.parse(await readFile(join(dir, 'server', 'run.json'), 'utf8'));
    assert.deepEqual(restRecord.backend, { kind: 'server', url: server.url, model: MODEL_ID });
  });
});

describe('lavida-eval run --openai: errors', () => {
  test('--server, --embedded and --openai are mutually exclusive', async () => {
    const r = await cli([
      'run',
      '--benchmark',
      'chartqa',
      '--data',
      '.',
      '--out',
      '/tmp/x',
      '--server',
      'http://127.0.0.1:1',
      '--openai',
      'http://127.0.0.1:1/v1',
      '--model',
      'm',
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /give exactly one of --server URL, --embedded and --openai URL \(got --server and --openai\)/,
    );
  });

  test('--openai needs --model; ImgEdit is refused; credentials stay out of the URL', async () => {
    const base = ['run', '--data', '.', '--out', '/tmp/x', '--openai'];
    const noModel = await cli([...base, 'http://127.0.0.1:1/v1', '--benchmark', 'chartqa']);
    assert.match(noModel.stderr, /--openai needs --model NAME/);
    const imgedit = await cli([...base, 'http://127.0.0.1:1/v1', '--model', 'm', '--benchmark', 'imgedit']);
    assert.match(imgedit.stderr, /ImgEdit cannot run through --openai/);
    const secret = await cli([
      ...base,
      'http://user:sk-secret@127.0.0.1:1/v1',
      '--model',
      'm',
      '--benchmark',
      'chartqa',
    ]);
    assert.match(secret.stderr, /put no credentials in the URL .* --api-key-env VAR/);
    assert.deepEqual([noModel.code, imgedit.code, secret.code], [1, 1, 1]);
  });

  test('an unreachable endpoint fails the run at once, naming the URL and the cause', async () => {
    const dir = await tempDir();
    const data = await chartqa(join(dir, 'ChartQA'));
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const r = await cli([
      'run',
      '--benchmark',
      'chartqa',
      '--data',
      data,
      '--openai',
      url,
      '--model',
      'm',
      '--out',
      join(dir, 'out'),
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`cannot reach the OpenAI-compatible endpoint at ${url.replace(/\./g, '\\.')}: .*ECONNREFUSED`),
    );
  });
});
