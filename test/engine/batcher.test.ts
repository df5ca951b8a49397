import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamicBatcher } from '../../server/engine/batcher.js';

describe('dynamic batching', () => {
  test('jobs within the window form one batch, split at maxBatch; results go back in order', async () => {
    const batches: number[][] = [];
    const b = new DynamicBatcher<number, number>(async (jobs) => (batches.push(jobs), jobs.map((j) => j * 10)), {
      windowMs: 10,
      maxBatch: 3,
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map((j) => b.submit(j)));
    assert.deepEqual(results, [10, 20, 30, 40, 50]);
    assert.deepEqual(batches, [
      [1, 2, 3],
      [4, 5],
    ]);
  });

  test('onIdle fires once the last running batch is done, or the last queued job is aborted, not before', async () => {
    let idle = 0;
    const b = new DynamicBatcher<number, number>(
      async (jobs) => (await sleep(20), jobs),
      { windowMs: 5, maxBatch: 2 },
      () => idle++,
    );
    const first = [b.submit(1), b.submit(2), b.submit(3)]; // batches [1, 2] and [3], running together
    await first[0];
    assert.equal(idle, 0, 'a batch is still running');
    await Promise.all(first);
    await sleep(0);
    assert.deepEqual([idle, b.idle], [1, true]);
    const aborted = new AbortController();
    const queued = b.submit(4, aborted.signal);
    aborted.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    assert.deepEqual([idle, b.idle], [2, true]);
    await sleep(10); // the window's timer was cleared: no empty batch runs
    assert.equal(idle, 2);
  });

  test('a job aborted while queued never runs; one aborted while running rejects at once and is reported dead', async () => {
    const seen: number[][] = [];
    const liveAtEnd: boolean[][] = [];
    const b = new DynamicBatcher<number, number>(
      async (jobs, live) => {
        seen.push(jobs);
        await sleep(30);
        liveAtEnd.push(jobs.map((_, i) => live(i)));
        return jobs;
      },
      { windowMs: 5, maxBatch: 8 },
    );
    const queued = new AbortController();
    const running = new AbortController();
    const p = [b.submit(1), b.submit(2, queued.signal), b.submit(3, running.signal)];
    const queuedRejection = assert.rejects(p[1]!, { name: 'AbortError' });
    queued.abort();
    await sleep(15);
    running.abort();
    const t = Date.now();
    await assert.rejects(p[2]!, { name: 'AbortError' });
    assert.ok(Date.now() - t < 15, 'rejected before the batch finished');
    await queuedRejection;
    assert.equal(await p[0], 1);
    assert.deepEqual(seen, [[1, 3]]);
    assert.deepEqual(liveAtEnd, [[true, false]]);
    await assert.rejects(b.submit(4, AbortSignal.abort()), { name: 'AbortError' });
  });

  test('a failing batch rejects all its jobs', async () => {
    const b = new DynamicBatcher<number, number>(
      async () => {
        throw new Error('boom');
      },
      { windowMs: 1, maxBatch: 4 },
    );
    const all = await Promise.allSettled([b.submit(1), b.submit(2)]);
    assert.deepEqual(
      all.map((r) => r.status),
      ['rejected', 'rejected'],
    );
  });
});
