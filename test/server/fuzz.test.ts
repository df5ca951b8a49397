// Schemathesis over openapi.yaml against a real server: its examples, the coverage phase's boundary and
// schema-violating cases, then generated requests (a real PNG in three of four image fields, so decoding, the
// model and the responses run). Fails on any 5xx, a response the spec does not declare (status, content type,
// headers, body, each streamed event), a schema-valid request refused or a schema-violating one served
// (test/server/fuzz/ has the settings and the hooks). Bounded for `npm test` (100 examples per operation, cheap
// decoding knobs, a fixed seed); `npm run fuzz` sets LAVIDA_FUZZ_DEEP=1: 1000 examples per operation, the knobs
// as generated, a new seed each run. LAVIDA_FUZZ_EXAMPLES and LAVIDA_FUZZ_SEED override either.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { runSchemathesis, SCHEMATHESIS, type FuzzSettings } from './fuzz/schemathesis.js';
import { NO_PACKAGE, useServer } from './harness.js';

const DEEP = process.env.LAVIDA_FUZZ_DEEP === '1';
const SETTINGS: FuzzSettings = {
  examples: Number(process.env.LAVIDA_FUZZ_EXAMPLES ?? (DEEP ? 1000 : 100)),
  maxPasses: DEEP ? 0 : 8,
  seed: Number(process.env.LAVIDA_FUZZ_SEED ?? (DEEP ? randomInt(2 ** 31) : 1)),
};
const TASKS = ['/v1/vqa', '/v1/ground', '/v1/edit', '/v1/chat/completions'];

describe('fuzzing the API with schemathesis', { skip: NO_PACKAGE }, () => {
  const srv = useServer();

  test(`${SETTINGS.examples} examples per operation, seed ${SETTINGS.seed}`, {
    timeout: DEEP ? undefined : 15 * 60_000,
  }, async (t) => {
    assert.ok(existsSync(SCHEMATHESIS), `${SCHEMATHESIS} is missing: run npm run setup:python`);
    const t0 = performance.now();
    const run = await runSchemathesis(srv.url, srv.ctx.engine.status.model, SETTINGS);
    const seconds = (performance.now() - t0) / 1000;
    const counted = (await srv.ctx.metrics.requests.get()).values;
    const statuses = new Map<string, Map<string, number>>();
    for (const { labels, value } of counted) {
      const route = statuses.get(String(labels.route)) ?? new Map<string, number>();
      route.set(String(labels.status), (route.get(String(labels.status)) ?? 0) + value);
      statuses.set(String(labels.route), route);
    }
    const r = run.report;
    t.diagnostic(
      `${r?.operations.tested} operations, ${r?.test_cases.generated} test cases, ${seconds.toFixed(0)} s ` +
        `(schemathesis ${r?.running_time.toFixed(0)} s), ${r?.filtered} documented refusals not counted as failures`,
    );
    for (const [route, byStatus] of [...statuses].sort()) {
      t.diagnostic(
        `${route}: ${[...byStatus]
          .sort()
          .map(([s, n]) => `${s} x${n}`)
          .join(', ')}`,
      );
    }

    assert.equal(run.code, 0, `schemathesis failed (seed ${SETTINGS.seed}):\n${run.output.slice(-12_000)}`);
    assert.ok(r, 'schemathesis wrote no report');
    assert.deepEqual([r.failures, r.errors], [[], []]);
    assert.equal(r.operations.tested, r.operations.selected);
    const bad = counted.filter(({ labels }) => Number(labels.status) >= 499);
    assert.deepEqual(bad, [], 'every request is answered in full, none with a 5xx');
    for (const route of TASKS) {
      assert.ok((statuses.get(route)?.get('200') ?? 0) >= 5, `${route}: too few requests reached the model`);
    }
  });
});
