// A worker crash over a real socket: the request in flight gets 503 problem+json (no internals), /readyz is
// not ready while no worker is alive and says why, the replacement answers 200 with the same result,
// /metrics counts the crash and the restart, each event is one JSON log line, and past the restart limit the
// server stays not ready.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { Engine } from '../../server/engine/engine.js';
import type { PoolEvent } from '../../server/engine/ort/pool.js';
import { logWorkerEvent } from '../../server/worker-log.js';
import { allConform, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, startServer, testConfig, type TestServer } from './harness.js';

type Readiness = { status: string; workers_alive: number; worker_restarts: number; reason: string | null };

describe('worker crash and restart over HTTP (1 restart per minute, after 1 s)', { skip: NO_PACKAGE }, () => {
  let engine: Engine;
  let srv: TestServer;
  let body: { image: string; question: string };
  const logLines: string[] = [];
  const waiters: Array<{ kind: PoolEvent['event']; resolve: () => void }> = [];
  const next = (kind: PoolEvent['event']) => new Promise<void>((resolve) => waiters.push({ kind, resolve }));

  before(async () => {
    const log = logWorkerEvent(pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }));
    const { modelsDir, modelId } = testConfig();
    engine = await Engine.load({
      modelsDir,
      modelId,
      device: 'cpu',
      workers: 1,
      intraOpNumThreads: 1,
      log: () => undefined,
      restartPolicy: { maxRestarts: 1, windowMs: 60_000, backoffMs: 1000 },
      onWorkerEvent: (e) => {
        log(e);
        for (const w of waiters.splice(0)) w.kind === e.event ? w.resolve() : waiters.push(w);
      },
    });
    srv = await startServer({}, engine);
    body = { image: dataUrl(await shapesPng()), question: 'What colour is the square?' };
  });
  after(async () => {
    await allConform();
    await srv?.close();
    await engine?.close();
  });

  const vqa = () => request(`${srv.url}/v1/vqa`, { json: body });
  const ready = async () => {
    const r = await request(`${srv.url}/readyz`);
    return { status: r.status, body: r.json<Readiness>() };
  };
  const metric = async (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await request(`${srv.url}/metrics`)).text)?.[1]);

  test('in-flight 503, not ready while restarting, then 200 with the same answer', async () => {
    const ok = await vqa();
    assert.equal(ok.status, 200);
    const fine = await ready();
    assert.equal(fine.status, 200);
    assert.deepEqual(
      [fine.body.status, fine.body.workers_alive, fine.body.worker_restarts, fine.body.reason],
      ['ready', 1, 0, null],
    );

    engine.model.pool.crashForTesting(0, 'next-run');
    const restarted = next('worker_restarted');
    const crashed = await vqa();
    assert.equal(crashed.status, 503);
    assert.equal(crashed.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(crashed.headers.get('retry-after'), '1');
    const problem = crashed.json();
    assert.deepEqual(Object.keys(problem).sort(), ['detail', 'instance', 'request_id', 'status', 'title', 'type']);
    assert.equal(problem.type, 'urn:lavida:problem:unavailable');
    assert.equal(problem.detail, 'the inference worker crashed while running this request; retry');

    // the replacement starts 1 s after the crash: until then no worker is alive
    const down = await ready();
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'not_ready');
    assert.equal(down.body.workers_alive, 0);
    assert.equal(down.body.reason, 'worker 0: ONNX Runtime worker exited (code 1); restarting');
    const refused = await vqa();
    assert.equal(refused.status, 503);
    assert.match(
      refused.json<{ detail: string }>().detail,
      /^no ONNX Runtime worker is alive \(worker 0: .*restarting\)$/,
    );
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);

    await restarted;
    const up = await ready();
    assert.equal(up.status, 200);
    assert.deepEqual(
      [up.body.status, up.body.workers_alive, up.body.worker_restarts, up.body.reason],
      ['ready', 1, 1, null],
    );
    const again = await vqa();
    assert.equal(again.status, 200);
    const result = (r: typeof ok) => {
      const { text, answer, reasoning, usage } = r.json<{
        text: string;
        answer: string;
        reasoning: string;
        usage: unknown;
      }>();
      return { text, answer, reasoning, usage };
    };
    assert.deepEqual(result(again), result(ok));

    assert.equal(await metric('lavida_worker_crashes_total'), 1);
    assert.equal(await metric('lavida_worker_restarts_total'), 1);
    assert.equal(await metric('lavida_workers_alive'), 1);
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      logged.map((l) => [l.level, l.msg, l.event, l.reason]),
      [
        [50, 'ONNX Runtime worker crashed; restarting', 'worker_crashed', 'ONNX Runtime worker exited (code 1)'],
        [30, 'ONNX Runtime worker restarted', 'worker_restarted', undefined],
      ],
    );
  });

  test('a second crash within the minute: no restart, not ready with the reason, requests 503', async () => {
    const crashed = next('worker_crashed');
    engine.model.pool.crashForTesting(0);
    await crashed;
    const down = await ready();
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'not_ready');
    assert.match(
      down.body.reason ?? '',
      /^gave up restarting workers after 2 crashes within 60000 ms \(limit 1 restarts\); worker 0: /,
    );
    const live = await fetch(`${srv.url}/healthz`);
    assert.equal(live.status, 503);
    assert.match(((await live.json()) as { status: string; reason: string }).reason, /gave up restarting workers/);
    const refused = await vqa();
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), null);
    assert.match(refused.json<{ detail: string }>().detail, /gave up restarting workers/);
    assert.equal(await metric('lavida_worker_restarts_total'), 1);
    assert.equal(await metric('lavida_worker_crashes_total'), 2);
    assert.equal(await metric('lavida_workers_alive'), 0);
    const last = JSON.parse(logLines.at(-1)!) as Record<string, unknown>;
    assert.deepEqual(
      [last.level, last.msg, last.restartInMs],
      [50, 'ONNX Runtime worker crashed; not restarting (restart limit reached)', null],
    );
  });
});
