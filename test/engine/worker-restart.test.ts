// Crashed ONNX Runtime workers, with real worker threads and real sessions on the test package: the in-flight
// job fails with WorkerCrashedError, the worker is replaced and answers exactly as before, cached prompts of
// the dead worker are never reused, crashes beyond the restart policy leave the pool down with a reason, and a
// worker whose graph run never returns is treated as crashed.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine, type EngineOptions } from '../../server/engine/engine.js';
import { decodeImage } from '../../server/engine/image/preprocess.js';
import type { RgbImage } from '../../server/engine/image/rgb.js';
import type { PoolEvent } from '../../server/engine/ort/pool.js';
import { WorkerCrashedError, WorkerUnavailableError } from '../../server/engine/ort/worker-errors.js';
import { MODEL_ID, MODELS_DIR, NO_PACKAGE } from '../package.js';
import { shapesPng } from '../server/fixtures.js';

const QUESTION = 'What colour is the square?';

/** An engine whose pool events are recorded; `next(kind)` resolves with the next event of that kind. */
async function loadEngine(o: Partial<EngineOptions> = {}) {
  const events: PoolEvent[] = [];
  const waiters: Array<{ kind: PoolEvent['event']; resolve: (e: PoolEvent) => void }> = [];
  const engine = await Engine.load({
    modelsDir: MODELS_DIR,
    modelId: MODEL_ID,
    device: 'cpu',
    workers: 1,
    intraOpNumThreads: 1,
    log: () => undefined,
    batching: { windowMs: 0, maxBatch: 1 },
    ...o,
    onWorkerEvent: (e) => {
      events.push(e);
      const i = waiters.findIndex((w) => w.kind === e.event);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(e);
    },
  });
  const next = <K extends PoolEvent['event']>(kind: K) =>
    new Promise<Extract<PoolEvent, { event: K }>>((resolve) =>
      waiters.push({ kind, resolve: resolve as (e: PoolEvent) => void }),
    );
  return { engine, events, next };
}

const crashed = (e: unknown): boolean =>
  e instanceof WorkerCrashedError && /ONNX Runtime worker exited/.test(e.message);

describe('a crashed worker is replaced (restart policy: 2 restarts per minute)', { skip: NO_PACKAGE }, () => {
  let t: Awaited<ReturnType<typeof loadEngine>>;
  let image: RgbImage;
  before(async () => {
    t = await loadEngine({ restartPolicy: { maxRestarts: 2, windowMs: 60_000, backoffMs: 20, maxBackoffMs: 1000 } });
    image = await decodeImage(await shapesPng());
  });
  after(() => t?.engine.close());

  test('the in-flight job fails with WorkerCrashedError; the replacement gives the same answer as before', async () => {
    const { engine } = t;
    const before = await engine.vqa(image, QUESTION);
    assert.deepEqual(engine.health(), { size: 1, alive: 1, restarts: 0, crashes: 0, gaveUp: false, reason: null });

    engine.model.pool.crashForTesting(0, 'next-run'); // dies with the job's first graph run in flight
    const restarted = t.next('worker_restarted');
    await assert.rejects(engine.vqa(image, QUESTION), crashed);
    // until the replacement is up, there is no worker to lease: a clear error, with when to retry
    const down = engine.health();
    assert.equal(down.alive, 0);
    assert.match(down.reason ?? '', /^worker 0: ONNX Runtime worker exited \(code 1\); restarting$/);
    assert.throws(
      () => engine.model.pool.lease(),
      (e) => e instanceof WorkerUnavailableError && e.retryAfterMs! >= 1000 && /restarting/.test(e.message),
    );

    const up = await restarted;
    assert.deepEqual([up.worker, up.restarts], [0, 1]);
    assert.deepEqual(t.events[0], {
      event: 'worker_crashed',
      worker: 0,
      reason: 'ONNX Runtime worker exited (code 1)',
      inFlight: 1,
      crashesInWindow: 1,
      restartInMs: 20,
    });
    assert.deepEqual(engine.health(), { size: 1, alive: 1, restarts: 1, crashes: 1, gaveUp: false, reason: null });

    const after = await engine.vqa(image, QUESTION);
    assert.deepEqual(after.tokens, before.tokens);
    assert.equal(after.text, before.text);
    assert.equal(after.nfe, before.nfe);
  });

  test('a lease from before the crash stays on the dead worker: its cached prompt is never used on the replacement', async () => {
    const { engine } = t;
    const { pool, runtime, tokenizer, config } = engine.model;
    const rows = [{ ids: tokenizer.encode(QUESTION) }];
    const step = { canvas: new Array<number>(16).fill(config.mask_token_id), length: 16, want: 'text' as const };
    const old = pool.lease();
    const cache = await runtime.prefill(old, rows);
    const first = await runtime.step(old, cache, step);

    const restarted = t.next('worker_restarted');
    pool.crashForTesting(0);
    assert.equal((await restarted).restarts, 2);
    // the replacement holds no cache under that key; the old lease must not reach it at all
    await assert.rejects(runtime.step(old, cache, step), crashed);
    await old.release();

    const fresh = pool.lease();
    try {
      const again = await runtime.step(fresh, await runtime.prefill(fresh, rows), step);
      assert.deepEqual(Array.from(again.ids), Array.from(first.ids));
      assert.deepEqual(Array.from(again.confidence), Array.from(first.confidence));
    } finally {
      await fresh.release();
    }
  });

  test('a third crash within the window exceeds the policy: no worker, not restarted, a clear reason', async () => {
    const { engine } = t;
    const crash = t.next('worker_crashed');
    engine.model.pool.crashForTesting(0);
    assert.deepEqual(await crash, {
      event: 'worker_crashed',
      worker: 0,
      reason: 'ONNX Runtime worker exited (code 1)',
      inFlight: 0,
      crashesInWindow: 3,
      restartInMs: null,
    });
    const h = engine.health();
    assert.deepEqual(
      { ...h, reason: undefined },
      { size: 1, alive: 0, restarts: 2, crashes: 3, gaveUp: true, reason: undefined },
    );
    assert.equal(
      h.reason,
      'gave up restarting workers after 3 crashes within 60000 ms (limit 2 restarts); worker 0: ONNX Runtime worker exited (code 1)',
    );
    await assert.rejects(
      engine.vqa(image, QUESTION),
      (e) => e instanceof WorkerUnavailableError && e.retryAfterMs === null && /gave up/.test(e.message),
    );
    assert.equal(t.events.filter((e) => e.event === 'worker_restarted').length, 2);
  });
});

describe('with two workers, one crash leaves the other serving', { skip: NO_PACKAGE }, () => {
  test('requests go to the live worker while the dead one waits for its replacement', async () => {
    // a long backoff keeps worker 0 down for the whole test
    const t = await loadEngine({ workers: 2, restartPolicy: { backoffMs: 60_000, maxBackoffMs: 60_000 } });
    try {
      const image = await decodeImage(await shapesPng());
      const before = await t.engine.vqa(image, QUESTION);
      const crash = t.next('worker_crashed');
      t.engine.model.pool.crashForTesting(0);
      assert.equal((await crash).restartInMs, 60_000);
      assert.equal(t.engine.health().alive, 1);
      assert.deepEqual((await t.engine.vqa(image, QUESTION)).tokens, before.tokens);
    } finally {
      await t.engine.close(); // also cancels the pending restart
    }
  });
});

describe('a replacement that cannot start counts as a crash', { skip: NO_PACKAGE }, () => {
  test('the graph file is gone: worker_restart_failed, then the policy gives up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lavida-restart-'));
    cpSync(join(MODELS_DIR, MODEL_ID), join(dir, MODEL_ID), { recursive: true });
    const t = await loadEngine({
      modelsDir: dir,
      restartPolicy: { maxRestarts: 1, windowMs: 60_000, backoffMs: 10, maxBackoffMs: 10 },
    });
    try {
      rmSync(join(dir, MODEL_ID, 'vq_decode.onnx'));
      const failed = t.next('worker_restart_failed');
      t.engine.model.pool.crashForTesting(0);
      const f = await failed;
      assert.equal(f.restartInMs, null);
      assert.match(f.reason, /^replacement failed to start: .*vq_decode\.onnx/, f.reason);
      const h = t.engine.health();
      assert.equal(h.alive, 0);
      assert.equal(h.gaveUp, true);
      assert.match(
        h.reason ?? '',
        /gave up restarting workers after 2 crashes .*; worker 0: replacement failed to start/,
      );
    } finally {
      await t.engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a hung worker (a graph run that never returns) counts as a crash', { skip: NO_PACKAGE }, () => {
  test('after workerHangMs the job fails naming the hang, the worker is replaced and answers as before', async () => {
    const t = await loadEngine({
      workerHangMs: 300,
      restartPolicy: { maxRestarts: 2, windowMs: 60_000, backoffMs: 20, maxBackoffMs: 1000 },
    });
    try {
      const image = await decodeImage(await shapesPng());
      const before = await t.engine.vqa(image, QUESTION);
      const restarted = t.next('worker_restarted');
      t.engine.model.pool.crashForTesting(0, 'stall'); // the job's first graph run never answers
      const began = performance.now();
      await assert.rejects(
        t.engine.vqa(image, QUESTION),
        (e) =>
          e instanceof WorkerCrashedError && e.message === 'ONNX Runtime worker hung: a graph run took over 300 ms',
      );
      assert.ok(performance.now() - began >= 290, 'not before the hang threshold');
      assert.deepEqual(t.events[0], {
        event: 'worker_crashed',
        worker: 0,
        reason: 'ONNX Runtime worker hung: a graph run took over 300 ms',
        inFlight: 1,
        crashesInWindow: 1,
        restartInMs: 20,
      });
      await restarted;
      assert.deepEqual((await t.engine.vqa(image, QUESTION)).tokens, before.tokens);
      assert.equal(
        t.events.filter((e) => e.event === 'worker_crashed').length,
        1,
        'the terminated thread is not reported twice',
      );
    } finally {
      await t.engine.close();
    }
  });
});

describe('closing the pool with a graph run in flight', { skip: NO_PACKAGE }, () => {
  // onnxruntime-node can abort the process when a run returns into a terminated thread: a busy worker must exit
  // after its run instead (terminating it at once aborted about one run of this test in three)
  test('the job fails with WorkerUnavailableError and the process lives on (20 times)', async () => {
    const image = await decodeImage(await shapesPng());
    for (let i = 0; i < 20; i++) {
      const { engine } = await loadEngine();
      const rt = engine.model.runtime;
      const passRows = rt.passRows.bind(rt);
      let closing: Promise<void> | undefined;
      rt.passRows = (...args) => {
        const pass = passRows(...args);
        closing ??= engine.close(); // the first pass has just been sent to the worker
        return pass;
      };
      await assert.rejects(
        engine.vqa(image, QUESTION),
        (e) => e instanceof WorkerUnavailableError && /closed/.test(e.message),
      );
      await closing;
    }
  });
});
