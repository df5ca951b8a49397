// A check that throws inside a body parser's callback (a screen, the schema validator) is a 500 problem for
// that request, not an uncaught exception that ends the process: the next request is served.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import { pino } from 'pino';
import { DEFAULTS, type ServerConfig } from '../../server/config.js';
import { requestBody } from '../../server/middleware/body.js';
import { problemHandler } from '../../server/middleware/errors.js';

const config = { ...DEFAULTS, modelsDir: '.', modelId: 'none' } as ServerConfig;
const quiet = pino({ level: 'silent' });
let server: ReturnType<ReturnType<typeof express>['listen']>;
let base: string;

before(async () => {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.log = quiet;
    res.locals.requestId = 'test';
    next();
  });
  const throwing = (body: unknown): void => {
    if ((body as { question?: string }).question === 'explode') throw new Error('a check failed unexpectedly');
  };
  app.post('/v1/vqa', requestBody(config, 'VqaRequest', undefined, throwing), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(problemHandler);
  server = app.listen(0);
  await new Promise((done) => server.once('listening', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
});

const post = (question: string): Promise<Response> =>
  fetch(`${base}/v1/vqa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image: 'iVBORw0KGgo=', question }),
  });

test('a throwing body check answers 500 problem+json and the server goes on', async () => {
  const failed = await post('explode');
  assert.equal(failed.status, 500);
  assert.equal(failed.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const problem = (await failed.json()) as { type: string; detail: string };
  assert.equal(problem.type, 'urn:lavida:problem:internal');
  assert.doesNotMatch(problem.detail, /a check failed unexpectedly/); // internals stay in the log
  const next = await post('How many circles?');
  assert.equal(next.status, 200);
  assert.deepEqual(await next.json(), { ok: true });
});
