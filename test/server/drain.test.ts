// The process entry (server/main.ts) drains on SIGTERM: in-flight requests complete, new ones get 503 with
// Retry-After, /readyz says draining, and the process exits 0; when the drain timeout passes first, the requests
// still in flight get a 503 problem and the process exits 1 (never an abort).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../server/config.js';
import { allConform, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, testConfig } from './harness.js';

/** server/main.ts as a child process on an ephemeral port; resolves once it listens. */
async function serve(
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; exited: Promise<[number | null, string | null]> }> {
  const { modelsDir, modelId } = testConfig();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {
      ...process.env,
      PORT: '0',
      LAVIDA_HOST: '127.0.0.1',
      LAVIDA_MODELS_DIR: modelsDir,
      LAVIDA_MODEL: modelId,
      LAVIDA_INTRA_OP_THREADS: '1',
      ...env,
    },
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  for await (const line of createInterface({ input: child.stdout! })) {
    const entry = JSON.parse(line) as { msg: string; port?: number };
    if (entry.msg === 'listening') return { child, url: `http://127.0.0.1:${entry.port!}`, exited };
  }
  throw new Error('the server exited before listening');
}

const untilQueued = async (url: string, n: number): Promise<void> => {
  while ((await request(`${url}/readyz`)).json<{ queue_depth: number }>().queue_depth < n) await sleep(5);
};

test('SIGTERM: in-flight requests complete, new ones get 503 with Retry-After, exit 0', {
  skip: NO_PACKAGE,
  timeout: 30_000,
}, async () => {
  const { child, url, exited } = await serve();
  try {
    const inFlight = request(`${url}/v1/vqa`, {
      json: {
        image: dataUrl(await shapesPng()),
        question: 'What colour is the square?',
        max_tokens: 160,
        block_length: 16,
      },
    });
    await untilQueued(url, 1);
    child.kill('SIGTERM');
    await sleep(50);
    const refused = await request(`${url}/v1/models`);
    assert.equal(refused.status, 503);
    assert.equal(refused.json().type, 'urn:lavida:problem:unavailable');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await request(`${url}/readyz`)).json().status, 'draining');
    assert.equal((await inFlight).status, 200, 'the in-flight request completed');
    assert.deepEqual(await exited, [0, null]);
    await allConform();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('drain timeout with 6 requests in flight: each gets a 503 problem, exit 1, no abort', {
  skip: NO_PACKAGE,
  timeout: 30_000,
}, async () => {
  const { child, url, exited } = await serve({ LAVIDA_DRAIN_TIMEOUT_MS: '1500' });
  try {
    const image = dataUrl(await shapesPng());
    // 1024 passes each: far longer than the drain timeout
    const slow = Array.from({ length: 6 }, (_, i) =>
      request(`${url}/v1/vqa`, {
        json: {
          image,
          question: `Question ${i}: what colour is the square?`,
          max_tokens: 512,
          block_length: 16,
          steps: 1024,
        },
      }),
    );
    await untilQueued(url, 6);
    const t0 = performance.now();
    child.kill('SIGTERM');
    for (const r of await Promise.all(slow)) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json().type, 'urn:lavida:problem:unavailable');
      assert.match(r.json<{ detail: string }>().detail, /shut down before this request finished/);
      assert.equal(r.headers.get('retry-after'), '1');
    }
    assert.deepEqual(await exited, [1, null], 'exit status 1, not a signal (SIGABRT)');
    assert.ok(performance.now() - t0 < 12_000);
    await allConform();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
