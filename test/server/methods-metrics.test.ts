// A path of the API asked with a method it does not serve is 405 with Allow; every response, errors included,
// is counted under its path in the request metrics, and a client's mistake is not counted as a failed job.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem } from './problems.js';

describe('methods and route labels', { skip: NO_PACKAGE }, () => {
  const srv = useServer();

  test('unsupported methods → 405 with Allow; unknown paths → 404', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/vqa', 'POST'],
      ['DELETE', '/v1/chat/completions', 'POST'],
      ['PUT', '/v1/models', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PATCH', '/metrics/', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await request(`${srv.url}${path}`, { method });
      assertProblem(r, 405, 'method-not-allowed');
      assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
    }
    assertProblem(await request(`${srv.url}/v1/vqa/extra`), 404, 'not-found');
  });

  test('error responses are counted under their route', async () => {
    const bad = await request(`${srv.url}/v1/vqa`, {
      method: 'POST',
      body: '{"image": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.status, 400);
    assert.equal(
      (await request(`${srv.url}/v1/ground`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }))
        .status,
      415,
    );
    const metrics = (await request(`${srv.url}/metrics`)).text;
    assert.match(metrics, /lavida_http_requests_total\{method="POST",route="\/v1\/vqa",status="400"\} 1/);
    assert.match(metrics, /lavida_http_requests_total\{method="POST",route="\/v1\/ground",status="415"\} 1/);
    assert.match(metrics, /lavida_http_requests_total\{method="GET",route="\/v1\/vqa",status="405"\} 1/);
    assert.match(metrics, /lavida_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    assert.doesNotMatch(metrics, /route=""/);
  });

  test('jobs refused for a client mistake count as invalid, not as errors', async () => {
    const png = await shapesPng();
    const r = await request(`${srv.url}/v1/vqa`, { json: { image: dataUrl(png), question: 'Is <|eot_id|> here?' } });
    assert.equal(r.status, 400);
    const undecodable = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png.subarray(0, 60)), question: 'What?' },
    });
    assert.equal(undecodable.status, 422);
    const metrics = (await request(`${srv.url}/metrics`)).text;
    assert.match(metrics, /lavida_jobs_total\{task="vqa",outcome="invalid"\} 2/);
    assert.doesNotMatch(metrics, /outcome="error"/);
  });
});
