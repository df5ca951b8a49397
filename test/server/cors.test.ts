// LAVIDA_CORS_ORIGINS: off by default; an allowed origin's requests get Access-Control-Allow-Origin (errors too, so
// a page can read them) and its preflights a 204 before authentication; other origins get no CORS headers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configFromEnv } from '../../server/config.js';
import { NO_PACKAGE, useServer } from './harness.js';

const APP = 'https://app.example.com';

const preflight = (url: string, origin: string): Promise<Response> =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type',
    },
  });

test('LAVIDA_CORS_ORIGINS: empty by default, trimmed, origins or * only', () => {
  assert.deepEqual(configFromEnv({}).corsOrigins, []);
  assert.deepEqual(configFromEnv({ LAVIDA_CORS_ORIGINS: ` ${APP} , http://localhost:3000,` }).corsOrigins, [
    APP,
    'http://localhost:3000',
  ]);
  assert.deepEqual(configFromEnv({ LAVIDA_CORS_ORIGINS: '*' }).corsOrigins, ['*']);
  for (const bad of ['app.example.com', `${APP}/`, `${APP}/path`, 'https://*.example.com']) {
    assert.throws(() => configFromEnv({ LAVIDA_CORS_ORIGINS: bad }), /LAVIDA_CORS_ORIGINS holds .* not an origin/, bad);
  }
});

describe('CORS', { skip: NO_PACKAGE }, () => {
  const allowed = useServer({ corsOrigins: [APP], apiKeys: ['k'] });
  const off = useServer();
  const any = useServer({ corsOrigins: ['*'] });

  test('an allowed origin may read responses, errors included, and the headers clients need', async () => {
    const ok = await fetch(`${allowed.url}/v1/models`, { headers: { Origin: APP, Authorization: 'Bearer k' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), APP);
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /X-Request-Id.*X-Lavida-Seed.*Retry-After/);
    const refused = await fetch(`${allowed.url}/v1/models`, { headers: { Origin: APP } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP);
  });

  test('a preflight from an allowed origin is answered 204 without a key', async () => {
    const res = await preflight(`${allowed.url}/v1/vqa`, APP);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type');
    assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
  });

  test('another origin gets no CORS headers and its preflight is not served', async () => {
    const res = await fetch(`${allowed.url}/healthz`, { headers: { Origin: 'https://evil.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const pre = await preflight(`${allowed.url}/v1/vqa`, 'https://evil.example.com');
    assert.equal(pre.status, 401, 'not answered by CORS: it meets the API key check like any other request');
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
  });

  test('off by default: no CORS headers, on preflights neither (the browser then blocks the request)', async () => {
    const res = await fetch(`${off.url}/healthz`, { headers: { Origin: APP } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const pre = await preflight(`${off.url}/v1/vqa`, APP);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    assert.equal(pre.headers.get('access-control-allow-methods'), null);
  });

  test('* allows any origin', async () => {
    const res = await fetch(`${any.url}/healthz`, { headers: { Origin: 'https://anywhere.example.org' } });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal((await preflight(`${any.url}/v1/chat/completions`, 'https://anywhere.example.org')).status, 204);
  });
});
