// The engine settings every server start uses (server/start.ts: `npm start`, `lavida-eval run --embedded`, the
// tests): the worker restart policy and hang watchdog from the settings, worker events and start-up lines logged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { engineOptions } from '../../server/start.js';
import { testConfig } from './harness.js';

test('engineOptions: the restart policy and the hang watchdog (0: none) of the settings; events and lines logged', () => {
  const lines: Array<{ level: number; msg: string; event?: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const config = testConfig({ workerMaxRestarts: 2, workerRestartWindowMs: 5000, workerHangMs: 700 });
  const o = engineOptions(config, logger);
  assert.deepEqual([o.modelsDir, o.modelId], [config.modelsDir, config.modelId]);
  assert.deepEqual(o.restartPolicy, { maxRestarts: 2, windowMs: 5000 });
  assert.equal(o.workerHangMs, 700);
  assert.equal(engineOptions({ ...config, workerHangMs: 0 }, logger).workerHangMs, undefined);
  o.onWorkerEvent!({
    event: 'worker_crashed',
    worker: 0,
    reason: 'gone',
    inFlight: 1,
    crashesInWindow: 1,
    restartInMs: 250,
  });
  o.log!('[engine] up');
  engineOptions(config, logger, (line) => logger.warn(line)).log!('[engine] up');
  assert.deepEqual(
    lines.map(({ level, msg, event }) => [level, msg, event]),
    [
      [50, 'ONNX Runtime worker crashed; restarting', 'worker_crashed'],
      [30, '[engine] up', undefined],
      [40, '[engine] up', undefined],
    ],
  );
});
