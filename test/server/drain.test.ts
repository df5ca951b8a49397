// The process entry (server/main.ts) drains on SIGTERM: in-flight requests complete, new ones get 503,
// /readyz says draining, and the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../server/config.js';
import { allConform, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, testConfig } from './harness.js';

test('SIGTERM: in-flight requests complete, new ones get 503, exit 0', { skip: NO_PACKAGE, timeout: 30_000 }, async () => {
  const { modelsDir, modelId } = testConfig();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, PORT: '0', LAVIDA_HOST: '127.0.0.1', LAVIDA_MODELS_DIR: modelsDir, LAVIDA_MODEL: modelId, LAVIDA_INTRA_OP_THREADS: '1' },
  });
  const exited = once(child, 'exit');
  try {
    let port = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const entry = JSON.parse(line) as { msg: string; port?: number };
      if (entry.msg === 'listening') {
        port = entry.port!;
        break;
      }
    }
    assert.ok(port > 0, 'the server logged its port');
    const url = `http://127.0.0.1:${port}`;
    const inFlight = request(`${url}/v1/vqa`, { json: { image: dataUrl(await shapesPng()), question: 'What colour is the square?', max_tokens: 160, block_length: 16 } });
    while ((await request(`${url}/readyz`)).json<{ queue_depth: number }>().queue_depth === 0) await sleep(5);
    child.kill('SIGTERM');
    await sleep(50);
    const refused = await request(`${url}/v1/models`);
    assert.equal(refused.status, 503);
    assert.equal(refused.json().type, 'urn:lavida:problem:unavailable');
    assert.equal((await request(`${url}/readyz`)).json().status, 'draining');
    assert.equal((await inFlight).status, 200, 'the in-flight request completed');
    const [code] = await exited;
    assert.equal(code, 0);
    await allConform();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
