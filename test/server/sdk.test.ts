// sdk/: the generated types are current with openapi.yaml, and the typed client works against a live server.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../../server/config.js';
import { createLavidaClient, imageDataUrl, readEvents, type LavidaClient } from '../../sdk/client.js';
import { allConform, checkResponse, conformingFetch } from './conformance.js';
import { shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';

test('sdk/schema.d.ts is what `npm run gen:sdk` makes of openapi.yaml', () => {
  const run = spawnSync('npm', ['run', '--silent', 'gen:sdk', '--', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, `sdk/schema.d.ts is stale: run \`npm run gen:sdk\`\n${run.stdout}${run.stderr}`);
});

test('the conformance check rejects responses that break the spec', () => {
  const res = (status: number, type: string) => new Response(null, { status, headers: { 'content-type': type } });
  assert.throws(
    () => checkResponse('POST', 'http://x/v1/vqa', res(200, 'application/json'), '{"answer": 3}'),
    /VqaResponse/,
  );
  assert.throws(() => checkResponse('POST', 'http://x/v1/vqa', res(418, 'application/json'), '{}'), /declares no 418/);
  assert.throws(() => checkResponse('GET', 'http://x/healthz', res(200, 'text/html'), ''), /not declared/);
  assert.throws(
    () => checkResponse('POST', 'http://x/v1/vqa', res(200, 'text/event-stream'), 'event: step\ndata: {}\n\n'),
    /\[DONE\]/,
  );
});

describe('typed client', { skip: NO_PACKAGE }, () => {
  after(allConform); // before useServer's own `after` closes the server
  const srv = useServer({ apiKeys: ['sdk-key'] });
  let client: LavidaClient;
  let image: string;
  before(async () => {
    client = createLavidaClient({ baseUrl: srv.url, apiKey: 'sdk-key', fetch: conformingFetch });
    image = imageDataUrl(await shapesPng());
  });

  test('vqa and ground, typed results', async () => {
    const vqa = await client.POST('/v1/vqa', {
      body: { image, question: 'What colour is the square?', max_tokens: 32 },
    });
    assert.ok(vqa.data, JSON.stringify(vqa.error));
    assert.equal(vqa.data.object, 'vqa');
    const ground = await client.POST('/v1/ground', { body: { image, description: 'the blue circle' } });
    assert.equal(ground.data?.boxes.length, 1);
  });

  test('problems come back typed in `error`', async () => {
    const { error, response } = await client.POST('/v1/vqa', { body: { image, question: 'q', steps: 0 } });
    assert.equal(response.status, 400);
    assert.equal(error?.type, 'urn:lavida:problem:invalid-request');
  });

  test('streams read with readEvents', async () => {
    const { response } = await client.POST('/v1/vqa', {
      body: { image, question: 'Colour?', max_tokens: 16, block_length: 16, stream: true },
      parseAs: 'stream',
    });
    const events = [];
    for await (const e of readEvents(response.body!)) events.push(e);
    assert.ok(events.some((e) => e.event === 'step'));
    assert.equal(events.at(-2)?.event, 'result');
    assert.equal(events.at(-1)?.data, '[DONE]');
  });
});
