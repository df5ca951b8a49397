// Hostile inputs the other hostile-input tests (bad-input, image-limits, control-tokens, malformed-bodies,
// slow-clients) do not send: JSON nested a million deep, compressed-body bombs, image bombs and degenerate images
// through every image field, a body-sized base64 string, multipart part limits. Each gets its 4xx problem while
// /healthz keeps answering within 2 s (generous: parsing 2 MB of JSON nested a million deep holds the event loop a
// few hundred ms), and the server answers no request with a 5xx.
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { greyPng } from '../png.js';
import { allConform, request, type Reply } from './conformance.js';
import { dataUrl, gifBomb, pngBomb, shapesPng } from './fixtures.js';
import { closeEngine, NO_PACKAGE, startServer, type TestServer } from './harness.js';
import { assertProblem, upload } from './problems.js';

const HEALTHZ_BOUND_MS = 2000;
const DEEP = 1_000_000;
const JSON_TYPE = { 'content-type': 'application/json' };

describe('hostile inputs', { skip: NO_PACKAGE }, () => {
  let srv: TestServer;
  let png: Buffer;
  let model: string;
  let slowest = 0;
  before(async () => {
    srv = await startServer();
    png = await shapesPng();
    model = srv.ctx.engine.status.model;
  });
  after(async () => {
    const counted = srv ? (await srv.ctx.metrics.requests.get()).values : [];
    await srv?.close();
    await closeEngine();
    assert.deepEqual(
      counted.filter(({ labels }) => Number(labels.status) >= 500),
      [],
      'no request got a 5xx',
    );
    assert.ok(
      slowest < HEALTHZ_BOUND_MS,
      `slowest /healthz while a hostile input was processed: ${slowest.toFixed(0)} ms`,
    );
  });

  /** `send()`, with /healthz probed every 20 ms until its reply is in. */
  async function probed(send: () => Promise<Reply>): Promise<Reply> {
    let done = false;
    const reply = send().finally(() => (done = true));
    while (!done) {
      const t0 = performance.now();
      assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
      slowest = Math.max(slowest, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    return reply;
  }
  const post = (path: string, body: BodyInit, headers: Record<string, string> = JSON_TYPE) =>
    probed(() => request(`${srv.url}${path}`, { method: 'POST', body, headers }));
  const chat = (url: string, text = 'What is it?') =>
    JSON.stringify({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });

  test('JSON nested a million deep, as the body and inside each field → 400', async () => {
    const arrays = '['.repeat(DEEP) + ']'.repeat(DEEP);
    const objects = '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP);
    const bodies: Array<[string, string]> = [
      ['/v1/vqa', arrays],
      ['/v1/ground', objects],
      ['/v1/vqa', `{"image": ${arrays}, "question": "q"}`],
      ['/v1/ground', `{"image": "AAAA", "description": ${objects}}`],
      ['/v1/edit', `{"image": "AAAA", "instruction": "x", "steps": ${arrays}}`],
      ['/v1/chat/completions', `{"model": "${model}", "messages": [{"role": "user", "content": ${arrays}}]}`],
    ];
    for (const [path, body] of bodies) assertProblem(await post(path, body), 400, 'invalid-request');
  });

  test('gzip, deflate and brotli bodies that inflate past the body limit → 413; an unknown encoding → 415', async () => {
    const inflated = Buffer.alloc(64 << 20, ' '); // whitespace: valid JSON up to the point the limit stops it
    const bombs: Array<[string, Buffer]> = [
      ['gzip', gzipSync(inflated, { level: 9 })],
      ['deflate', deflateSync(inflated, { level: 9 })],
      ['br', brotliCompressSync(inflated)],
    ];
    for (const [encoding, bomb] of bombs) {
      assert.ok(bomb.length < 256 * 1024);
      assertProblem(
        await post('/v1/vqa', new Uint8Array(bomb), { ...JSON_TYPE, 'content-encoding': encoding }),
        413,
        'payload-too-large',
      );
    }
    assertProblem(
      await post('/v1/vqa', '{}', { ...JSON_TYPE, 'content-encoding': 'zstd' }),
      415,
      'unsupported-media-type',
    );
  });

  test('PNG and GIF bombs in every image field → 413 without decoding them', async () => {
    for (const [bomb, mime] of [
      [pngBomb(), 'image/png'],
      [gifBomb(), 'image/gif'],
    ] as const) {
      const image = dataUrl(bomb, mime);
      const replies = [
        await post('/v1/vqa', JSON.stringify({ image, question: 'q' })),
        await post('/v1/ground', upload(bomb, mime, { description: 'the circle' }), {}),
        await post('/v1/edit', JSON.stringify({ image, instruction: 'x' })),
        await post('/v1/chat/completions', chat(image)),
      ];
      for (const r of replies) assertProblem(r, 413, 'image-too-large');
    }
  });

  test('a 30000x1 PNG in the fields image-limits does not cover (grounding, chat) → 422', async () => {
    const line = dataUrl(greyPng(30000, 1, 8, 200));
    assertProblem(
      await post('/v1/ground', JSON.stringify({ image: line, description: 'the line' })),
      422,
      'unsupported-aspect-ratio',
    );
    assertProblem(await post('/v1/chat/completions', chat(line)), 422, 'unsupported-aspect-ratio');
  });

  test('18 MB of base64 (bare and as a data URL) is matched and decoded in bounded time → 415', async () => {
    const payload = 'A'.repeat(18_000_000); // decodes to zeros: no image
    for (const image of [payload, `data:image/png;base64,${payload}`]) {
      assertProblem(await post('/v1/vqa', JSON.stringify({ image, question: 'q' })), 415, 'unsupported-image-type');
    }
  });

  test('multipart: two files, a file under another name, more fields than allowed → 400', async () => {
    const blob = new Blob([new Uint8Array(png)], { type: 'image/png' });
    const twoFiles = upload(png, 'image/png');
    twoFiles.append('image', blob, 'second.png');
    const otherName = new FormData();
    otherName.set('picture', blob, 'a.png');
    otherName.set('question', 'q');
    const manyFields = upload(png, 'image/png');
    for (let i = 0; i < 60; i++) manyFields.set(`f${i}`, 'x');
    for (const form of [twoFiles, otherName, manyFields]) {
      const r = await post('/v1/vqa', form, {});
      assertProblem(r, 400, 'invalid-request');
      assert.match(r.json<{ detail: string }>().detail, /^upload refused: /);
    }
  });

  test('afterwards the server still answers a real request', async () => {
    const r = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png), question: 'How many shapes?', max_tokens: 16, block_length: 16 },
    });
    assert.equal(r.status, 200, r.text);
    await allConform();
  });
});
