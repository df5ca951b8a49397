// Bad input gets a clear 4xx application/problem+json with a stable type, and the server stays healthy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { allConform, request, type Reply } from './conformance.js';
import { dataUrl, pngBomb, shapesPng } from './fixtures.js';
import { closeEngine, NO_PACKAGE, startServer, type TestServer } from './harness.js';
import { assertProblem, upload } from './problems.js';

describe('bad input', { skip: NO_PACKAGE }, () => {
  let srv: TestServer;
  let png: Buffer;
  const vqa = (json: unknown): Promise<Reply> => request(`${srv.url}/v1/vqa`, { json });
  before(async () => {
    srv = await startServer({ maxJsonBytes: 256 * 1024, maxUploadBytes: 128 * 1024, maxPixels: 4_000_000 });
    png = await shapesPng();
  });
  after(async () => {
    const health = await request(`${srv.url}/healthz`);
    assert.equal(health.status, 200);
    const ok = await vqa({
      image: dataUrl(png),
      question: 'Still there?',
      max_tokens: 16,
      block_length: 16,
      threshold: 0.5,
    });
    assert.equal(ok.status, 200, 'the server still answers after the bad requests');
    await allConform();
    await srv?.close();
    await closeEngine();
  });

  test('oversize JSON body → 413', async () => {
    assertProblem(await vqa({ image: 'A'.repeat(300 * 1024), question: 'q' }), 413, 'payload-too-large');
  });
  test('oversize upload → 413', async () => {
    const r = await request(`${srv.url}/v1/vqa`, {
      method: 'POST',
      body: upload(Buffer.concat([png, Buffer.alloc(200 * 1024)]), 'image/png'),
    });
    assertProblem(r, 413, 'payload-too-large');
  });
  test('a question naming <image> twice → 400; once → the image goes there', async () => {
    const twice = await vqa({ image: dataUrl(png), question: 'Compare <image> with <image>.' });
    assertProblem(twice, 400, 'invalid-request');
    assert.match(twice.json<{ detail: string }>().detail, /names <image> 2 times/);
    const once = await vqa({
      image: dataUrl(png),
      question: 'How many shapes are in <image>?',
      max_tokens: 16,
      block_length: 16,
    });
    assert.equal(once.status, 200, once.text);
  });
  test('bad base64 → 400', async () => {
    assertProblem(await vqa({ image: 'data:image/png;base64,@@not base64@@', question: 'q' }), 400, 'invalid-request');
    assertProblem(await vqa({ image: 'https://example.com/cat.png', question: 'q' }), 400, 'invalid-request');
  });
  test('not-an-image bytes declared image/png → 415', async () => {
    const text = Buffer.from('this is plain text, not a PNG at all');
    assertProblem(
      await request(`${srv.url}/v1/vqa`, { method: 'POST', body: upload(text, 'image/png') }),
      415,
      'unsupported-image-type',
    );
    assertProblem(await vqa({ image: dataUrl(text), question: 'q' }), 415, 'unsupported-image-type');
  });
  test('truncated PNG → 422', async () => {
    assertProblem(
      await vqa({ image: dataUrl(png.subarray(0, Math.floor(png.length / 2))), question: 'q' }),
      422,
      'undecodable-image',
    );
  });
  test('20000 x 20000 PNG bomb → 413 without decoding it', async () => {
    const bomb = pngBomb();
    assert.ok(bomb.length < 128 * 1024);
    const t0 = performance.now();
    assertProblem(
      await request(`${srv.url}/v1/edit`, { method: 'POST', body: upload(bomb, 'image/png', { instruction: 'x' }) }),
      413,
      'image-too-large',
    );
    assert.ok(performance.now() - t0 < 5000);
  });
  test('wrong content type → 415', async () => {
    const r = await request(`${srv.url}/v1/ground`, {
      method: 'POST',
      body: 'image=x',
      headers: { 'content-type': 'text/plain' },
    });
    assertProblem(r, 415, 'unsupported-media-type');
    const chat = await request(`${srv.url}/v1/chat/completions`, { method: 'POST', body: upload(png, 'image/png') });
    assertProblem(chat, 415, 'unsupported-media-type');
  });
  test('malformed JSON → 400', async () => {
    const r = await request(`${srv.url}/v1/vqa`, {
      method: 'POST',
      body: '{"image": ',
      headers: { 'content-type': 'application/json' },
    });
    assertProblem(r, 400, 'invalid-request');
  });
  test('missing fields and unknown fields → 400 listing each', async () => {
    const r = await vqa({ question: 'q', colour: 'red' });
    assertProblem(r, 400, 'invalid-request');
    const errors = r
      .json<{ errors: Array<{ message: string }> }>()
      .errors.map((e) => e.message)
      .join('; ');
    assert.match(errors, /image/);
    assert.match(errors, /colour/);
  });
  test('out-of-range knobs → 400 (schema bounds and cross-field rules)', async () => {
    const base = { image: dataUrl(png), question: 'q' };
    for (const knobs of [
      { steps: 0 },
      { max_tokens: 100000 },
      { threshold: 0 },
      { threshold: 1.5 },
      { schedule: 'cosine' },
      { max_tokens: 40, block_length: 16 },
      { max_tokens: 32, block_length: 16, steps: 3 },
    ]) {
      assertProblem(await vqa({ ...base, ...knobs }), 400, 'invalid-request');
    }
    assertProblem(
      await request(`${srv.url}/v1/ground`, { json: { image: dataUrl(png), description: 'x', steps: 3 } }),
      400,
      'invalid-request',
    );
    assertProblem(
      await request(`${srv.url}/v1/edit`, { json: { image: dataUrl(png), instruction: 'x', steps: 10000 } }),
      400,
      'invalid-request',
    );
    const form = upload(png, 'image/png', { instruction: 'x', seed: '-1' });
    assertProblem(await request(`${srv.url}/v1/edit`, { method: 'POST', body: form }), 400, 'invalid-request');
  });
  test('a prompt longer than the context → 400 context-length-exceeded', async () => {
    assertProblem(
      await vqa({ image: dataUrl(png), question: 'why '.repeat(999), max_tokens: 512, block_length: 16 }),
      400,
      'context-length-exceeded',
    );
  });
  test('unknown model id → 404; unknown route → 404', async () => {
    assertProblem(await vqa({ image: dataUrl(png), question: 'q', model: 'gpt-17' }), 404, 'model-not-found');
    assertProblem(
      await request(`${srv.url}/v1/chat/completions`, {
        json: { model: 'gpt-17', messages: [{ role: 'user', content: 'hi' }] },
      }),
      404,
      'model-not-found',
    );
    assertProblem(await request(`${srv.url}/v2/nothing`), 404, 'not-found');
  });
  test('chat without an image or with a remote image URL → 400', async () => {
    const model = srv.ctx.engine.status.model;
    assertProblem(
      await request(`${srv.url}/v1/chat/completions`, { json: { model, messages: [{ role: 'user', content: 'hi' }] } }),
      400,
      'invalid-request',
    );
    const remote = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
    ];
    assertProblem(
      await request(`${srv.url}/v1/chat/completions`, { json: { model, messages: remote } }),
      400,
      'invalid-request',
    );
  });
});
