// `lavida-eval run --embedded` starts its server as `npm start` does (server/start.ts): the LAVIDA_WORKER_*
// settings give its ONNX Runtime worker the hang watchdog and the restart policy, and a crash is logged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startEmbedded } from '../../eval/run/embedded.js';
import { dataUrl, shapesPng } from '../server/fixtures.js';
import { MODEL_ID, MODELS_DIR, NO_PACKAGE } from '../package.js';

const SETTINGS = {
  LAVIDA_WORKERS: '1',
  LAVIDA_INTRA_OP_THREADS: '1',
  LAVIDA_WORKER_HANG_MS: '200',
  LAVIDA_WORKER_MAX_RESTARTS: '0',
};

/** The embedded server, started with `SETTINGS` in the environment (as the command line would have them). */
async function startWithSettings(): Promise<Awaited<ReturnType<typeof startEmbedded>>> {
  const saved = Object.keys(SETTINGS).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, SETTINGS);
  try {
    return await startEmbedded({ model: MODEL_ID, modelsDir: MODELS_DIR });
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe("the embedded server's workers", { skip: NO_PACKAGE }, () => {
  test('a graph run that never answers is a crash (watchdog), not replaced past the restart limit, logged as an error', async () => {
    const srv = await startWithSettings();
    try {
      const logged: unknown[][] = [];
      srv.ctx.logger.error = ((...args: unknown[]) => void logged.push(args)) as typeof srv.ctx.logger.error;
      srv.ctx.engine.model.pool.crashForTesting(0, 'stall'); // the next graph run's reply is lost
      const vqa = await fetch(`${srv.url}/v1/vqa`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ image: dataUrl(await shapesPng()), question: 'What colour is the square?' }),
      });
      assert.equal(vqa.status, 503, await vqa.text());
      const ready = await fetch(`${srv.url}/readyz`);
      assert.equal(ready.status, 503);
      const { status, reason } = (await ready.json()) as { status: string; reason: string };
      assert.equal(status, 'not_ready');
      assert.match(
        reason,
        /^gave up restarting workers after 1 crashes within 60000 ms \(limit 0 restarts\); worker 0: ONNX Runtime worker hung/,
      );
      const hung = 'ONNX Runtime worker hung: a graph run took over 200 ms';
      assert.deepEqual(
        logged.filter(([e]) => (e as { event?: string }).event !== undefined),
        [
          [
            { event: 'worker_crashed', worker: 0, reason: hung, inFlight: 1, crashesInWindow: 1, restartInMs: null },
            'ONNX Runtime worker crashed; not restarting (restart limit reached)',
          ],
        ],
      );
    } finally {
      await srv.close();
    }
  });
});
