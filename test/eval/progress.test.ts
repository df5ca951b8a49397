import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import { progressBar } from '../../eval/run/progress.js';

/** A stream that records what is written to it. */
function recorder(isTTY: boolean): { stream: { isTTY: boolean; write(s: string): boolean }; writes: string[] } {
  const writes: string[] = [];
  return { stream: { isTTY, write: (s: string) => (writes.push(s), true) }, writes };
}

describe('progress', () => {
  afterEach(() => mock.timers.reset());

  test('not a terminal: a first line, one line per interval while samples finish, and a last line', () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const { stream, writes } = recorder(false);
    const bar = progressBar('chartqa', 100, { stream, everyMs: 5000 });
    assert.equal(writes.length, 1);
    assert.match(writes[0]!, /^\[chartqa\] \.+ 0\/100 0% .* ETA --:-- errors 0\n$/);
    // 60 samples, one every 500 ms: 30 s → 6 interval lines, however often the ticks come
    for (let i = 0; i < 60; i++) {
      bar.tick(i % 20 === 0);
      mock.timers.tick(500);
    }
    assert.equal(writes.length, 7);
    assert.match(writes[1]!, /^\[chartqa\] #+\.+ 10\/100 10% 2\.00\/s elapsed 00:05 ETA 00:45 errors 1\n$/);
    assert.match(writes[6]!, / 60\/100 60% 2\.00\/s elapsed 00:30 ETA 00:20 errors 3\n$/);
    bar.done();
    assert.equal(writes.length, 8);
    assert.match(writes[7]!, / 60\/100 60% .* errors 3\n$/);
    assert.ok(
      writes.every((w) => !w.includes('\r')),
      'plain lines, no carriage returns',
    );
    mock.timers.tick(60_000);
    assert.equal(writes.length, 8, 'nothing after done()');
  });

  test('a slow sample still leaves a line every interval in a log', () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const { stream, writes } = recorder(false);
    const bar = progressBar('lisa', 2, { stream, everyMs: 10_000 });
    for (let s = 0; s < 35; s++) mock.timers.tick(1000);
    assert.equal(writes.length, 4);
    assert.match(writes[3]!, / 0\/2 0% 0\.00\/s elapsed 00:30 /);
    bar.done();
  });

  test('a terminal: redrawn in place on every sample, newline at the end', () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const { stream, writes } = recorder(true);
    const bar = progressBar('mathvista', 2, { stream });
    bar.tick(false);
    bar.tick(false);
    bar.done();
    assert.equal(writes.length, 4);
    assert.ok(writes.every((w) => w.startsWith('\r') && w.includes('\x1b[K')));
    assert.match(writes[2]!, / 2\/2 100% /);
    assert.ok(writes[3]!.endsWith('\n') && !writes[2]!.endsWith('\n'));
  });
});
