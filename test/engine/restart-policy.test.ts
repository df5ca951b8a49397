// The restart policy on a fake clock: exponential backoff over the crash window, give up past the limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashWindow, DEFAULT_RESTART_POLICY } from '../../server/engine/ort/restart-policy.js';

test('backoff doubles with each crash in the window, capped; past maxRestarts the policy gives up', () => {
  const now = 0;
  const w = new CrashWindow({ maxRestarts: 4, windowMs: 1000, backoffMs: 100, maxBackoffMs: 500 }, () => now);
  assert.deepEqual([w.record(), w.record(), w.record(), w.record()], [100, 200, 400, 500]);
  assert.equal(w.record(), null);
  assert.equal(w.recent, 5);
});

test('crashes older than the window are forgotten', () => {
  let now = 0;
  const w = new CrashWindow({ maxRestarts: 2, windowMs: 1000, backoffMs: 10, maxBackoffMs: 1000 }, () => now);
  assert.equal(w.record(), 10);
  now = 600;
  assert.equal(w.record(), 20);
  now = 1000; // the first crash (t=0) has left the window
  assert.equal(w.record(), 20);
  assert.equal(w.recent, 2);
  now = 1100;
  assert.equal(w.record(), null);
});

test('maxRestarts 0 never restarts; invalid policies are refused', () => {
  assert.equal(new CrashWindow({ ...DEFAULT_RESTART_POLICY, maxRestarts: 0 }).record(), null);
  assert.throws(() => new CrashWindow({ ...DEFAULT_RESTART_POLICY, maxRestarts: -1 }), /invalid worker restart policy/);
  assert.throws(
    () => new CrashWindow({ ...DEFAULT_RESTART_POLICY, backoffMs: 20_000 }),
    /invalid worker restart policy/,
  );
});
