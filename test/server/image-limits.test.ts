// Images whose cost the header hides: degenerate aspect ratios are refused at once with a 422, and preparing a
// large image never blocks the event loop (/healthz keeps answering within 100 ms).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { greyPng } from '../png.js';
import { request } from './conformance.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem, upload } from './problems.js';

describe('image limits', { skip: NO_PACKAGE }, () => {
  const srv = useServer();

  test('30000x1 and 1x20000 PNGs of a few hundred bytes → 422 unsupported-aspect-ratio, at once', async () => {
    for (const [w, h] of [
      [30000, 1],
      [1, 20000],
      [1, 45000],
    ] as const) {
      const png = greyPng(w, h, 8, 200);
      assert.ok(png.length < 1000);
      const t0 = performance.now();
      const r = await request(`${srv.url}/v1/vqa`, { method: 'POST', body: upload(png, 'image/png') });
      assertProblem(r, 422, 'unsupported-aspect-ratio');
      assert.match(r.json<{ detail: string }>().detail, new RegExp(`${w}x${h} pixels: the aspect ratio is over 50:1`));
      assert.ok(performance.now() - t0 < 2000, `${w}x${h} took ${performance.now() - t0} ms`);
    }
    const edit = await request(`${srv.url}/v1/edit`, {
      method: 'POST',
      body: upload(greyPng(2000, 10, 8, 9), 'image/png', { instruction: 'x' }),
    });
    assertProblem(edit, 422, 'unsupported-aspect-ratio');
  });

  test('a 50:1 image is still served', async () => {
    const r = await request(`${srv.url}/v1/ground`, {
      method: 'POST',
      body: upload(greyPng(500, 10, 8, 90), 'image/png', { description: 'the line' }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json<{ image: unknown }>().image, { width: 500, height: 10 });
  });

  test('/healthz answers within 100 ms while a 4000x3000 image is prepared', async () => {
    const big = greyPng(4000, 3000, 8, 128);
    const job = request(`${srv.url}/v1/vqa`, {
      method: 'POST',
      body: upload(big, 'image/png', { question: 'What is it?', max_tokens: '16', block_length: '16' }),
    });
    let done = false;
    void job.finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const t0 = performance.now();
      assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((await job).status, 200);
    assert.ok(latencies.length >= 5, `only ${latencies.length} probes: the image was too quick to test anything`);
    assert.ok(Math.max(...latencies) < 100, `slowest /healthz: ${Math.max(...latencies).toFixed(0)} ms`);
  });
});
