// Admission and lifetime of jobs: a full queue answers 429 with Retry-After, the deadline 504, a client that
// disconnects cancels its engine job; optional API keys.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { allConform, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { closeEngine, NO_PACKAGE, startServer, type TestServer } from './harness.js';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('load control', { skip: NO_PACKAGE }, () => {
  let png: Buffer;
  const servers: TestServer[] = [];
  const start = async (...args: Parameters<typeof startServer>) => {
    const s = await startServer(...args);
    servers.push(s);
    return s;
  };
  before(async () => {
    png = await shapesPng();
  });
  after(async () => {
    await allConform();
    for (const s of servers) await s.close();
    await closeEngine();
  });
  const vqa = (url: string, init: RequestInit = {}) =>
    request(`${url}/v1/vqa`, { json: { image: dataUrl(png), question: 'What colour is the circle?' }, ...init });

  test('a full queue answers 429 with Retry-After; the admitted job completes', async () => {
    const srv = await start({ maxQueue: 1 });
    const first = vqa(srv.url);
    await until('the first job to be admitted', () => srv.ctx.admission.queueDepth === 1);
    const second = await vqa(srv.url);
    assert.equal(second.status, 429);
    assert.equal(second.json().type, 'urn:lavida:problem:queue-full');
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
    assert.equal((await first).status, 200);
  });

  test('a request past its deadline gets 504 and its job is cancelled', async () => {
    const srv = await start({ deadlineMs: 60 });
    const r = await vqa(srv.url);
    assert.equal(r.status, 504);
    assert.equal(r.json().type, 'urn:lavida:problem:deadline-exceeded');
    assert.match((await request(`${srv.url}/metrics`)).text, /lavida_jobs_total\{task="vqa",outcome="deadline"\} 1/);
  });

  test('a client that disconnects cancels its job (the stream stops, the queue empties)', async () => {
    const srv = await start();
    const ctl = new AbortController();
    const res = await fetch(`${srv.url}/v1/vqa`, {
      method: 'POST',
      signal: ctl.signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: dataUrl(png), question: 'Describe the picture.', stream: true }),
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first step has been computed
    ctl.abort();
    await until('the job to be cancelled', async () =>
      /outcome="cancelled"\} 1/.test((await request(`${srv.url}/metrics`)).text),
    );
    assert.equal(srv.ctx.admission.queueDepth, 0);
    const next = await vqa(srv.url);
    assert.equal(next.status, 200, 'the engine serves the next request');
  });

  test('API keys: missing or wrong → the same 401; a listed key passes; health stays open', async () => {
    const srv = await start({ apiKeys: ['alpha-key', 'beta-key'] });
    const none = await request(`${srv.url}/v1/models`);
    const wrong = await request(`${srv.url}/v1/models`, { headers: { authorization: 'Bearer alpha-kez' } });
    for (const r of [none, wrong]) {
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      assert.equal(r.json().detail, 'missing or invalid credentials');
    }
    assert.equal(
      (await request(`${srv.url}/v1/models`, { headers: { authorization: 'Bearer beta-key' } })).status,
      200,
    );
    assert.equal((await vqa(srv.url, { headers: { authorization: 'Bearer alpha-key' } })).status, 200);
    assert.equal((await request(`${srv.url}/healthz`)).status, 200);
  });
});
