// LAVIDA_PROTECT_OPS over a real socket: /metrics needs a key, /readyz without one answers its status alone
// and with one the full readiness; /healthz and the spec stay open. Without the option both stay public.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { request } from './conformance.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem } from './problems.js';

const KEY = 'ops-key';
const withKey = { headers: { authorization: `Bearer ${KEY}` } };

describe('operations endpoints behind the key', { skip: NO_PACKAGE }, () => {
  const guarded = useServer({ apiKeys: [KEY], protectOps: true });
  const open = useServer({ apiKeys: [KEY] });

  test('/metrics: 401 without a key or with a wrong one, the exposition with the key', async () => {
    assertProblem(await request(`${guarded.url}/metrics`), 401, 'unauthorized');
    assertProblem(
      await request(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer nope' } }),
      401,
      'unauthorized',
    );
    const r = await request(`${guarded.url}/metrics`, withKey);
    assert.equal(r.status, 200);
    assert.match(r.text, /lavida_http_requests_total/);
  });

  test('/readyz: the status alone without a key, every detail with it', async () => {
    const brief = await request(`${guarded.url}/readyz`);
    assert.equal(brief.status, 200);
    assert.deepEqual(brief.json(), { status: 'ready' });
    const full = (await request(`${guarded.url}/readyz`, withKey)).json<Record<string, unknown>>();
    assert.equal(full.status, 'ready');
    assert.ok('provider' in full && 'queue_depth' in full && 'workers_alive' in full);
  });

  test('/healthz and /openapi.yaml stay open; without the option /metrics and /readyz do too', async () => {
    assert.equal((await request(`${guarded.url}/healthz`)).status, 200);
    assert.equal((await request(`${guarded.url}/openapi.yaml`)).status, 200);
    assert.equal((await request(`${open.url}/metrics`)).status, 200);
    assert.ok('provider' in (await request(`${open.url}/readyz`)).json<Record<string, unknown>>());
  });
});
