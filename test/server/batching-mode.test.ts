// LAVIDA_BATCHING: `continuous` by default, `lockstep` or `none`, anything else refused at start; on a real server
// (the engine built from the settings as `npm start` builds it), `lockstep` decodes a chat's choices as one batch,
// so every choice runs the batch's passes, while `none` and `continuous` run each choice on its own passes; the
// completions are the same in every mode.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { pino } from 'pino';
import { configFromEnv } from '../../server/config.js';
import { Engine, type BatchingMode } from '../../server/engine/index.js';
import { engineOptions } from '../../server/start.js';
import { request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, startServer, testConfig } from './harness.js';
import { runMain } from './run-main.js';

test('LAVIDA_BATCHING: continuous when unset or empty; continuous, lockstep or none; anything else refused', () => {
  assert.equal(configFromEnv({}).batchingMode, 'continuous');
  assert.equal(configFromEnv({ LAVIDA_BATCHING: '' }).batchingMode, 'continuous');
  for (const mode of ['continuous', 'lockstep', 'none'])
    assert.equal(configFromEnv({ LAVIDA_BATCHING: ` ${mode} ` }).batchingMode, mode);
  for (const raw of ['0', 'off', 'Lockstep', 'continuous,none'])
    assert.throws(
      () => configFromEnv({ LAVIDA_BATCHING: raw }),
      new RegExp(`^Error: LAVIDA_BATCHING must be one of continuous, lockstep, none, got "${raw}"$`),
    );
});

test('the server refuses to start on LAVIDA_BATCHING=off: exit 1, one line naming the values', () => {
  const run = runMain([], { LAVIDA_BATCHING: 'off', PORT: '0', LAVIDA_HOST: '127.0.0.1' }, 20_000);
  assert.equal(run.status, 1, run.stderr);
  assert.equal(
    run.stderr,
    'lavida: invalid settings: LAVIDA_BATCHING must be one of continuous, lockstep, none, got "off"\n',
  );
  assert.equal(run.stdout, '', 'it never listened');
});

const N = 4;
const SEED = 8; // at temperature 2, its choices (seeds 8 to 11) stop after different blocks on lavida-r1-tiny

interface ChatRun {
  completions: string[];
  maxNfe: number; // lavida.nfe: the most passes a choice ran
  nfeSum: number; // lavida:request_nfe's sum: the passes of every choice together
}

/** One chat of N sampled choices on a fresh server whose engine the settings (`batchingMode`, one worker) built. */
async function chat(batching: BatchingMode, image: string): Promise<ChatRun> {
  const config = testConfig({ batchingMode: batching, workers: 1 });
  const engine = await Engine.load(engineOptions(config, pino({ level: 'silent' })));
  const srv = await startServer({ batchingMode: batching }, engine);
  try {
    const res = await request(`${srv.url}/v1/chat/completions`, {
      json: {
        model: engine.status.model,
        n: N,
        temperature: 2,
        seed: SEED,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'How many shapes are there?' },
              { type: 'image_url', image_url: { url: image } },
            ],
          },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ choices: Array<{ message: { content: string } }>; lavida: { nfe: number } }>();
    const metrics = (await request(`${srv.url}/metrics`)).text;
    const sum = metrics.split('\n').find((l) => l.startsWith('lavida:request_nfe_sum{task="chat"} '));
    assert.ok(sum, 'the chat request is in lavida:request_nfe');
    return {
      completions: body.choices.map((c) => c.message.content),
      maxNfe: body.lavida.nfe,
      nfeSum: Number(sum.split(' ').at(-1)),
    };
  } finally {
    await srv.close();
    await engine.close();
  }
}

describe('LAVIDA_BATCHING on a real server', { skip: NO_PACKAGE }, () => {
  let image: string;
  const runs: Partial<Record<BatchingMode, ChatRun>> = {};
  before(async () => {
    image = dataUrl(await shapesPng());
    for (const mode of ['none', 'lockstep', 'continuous'] as const) runs[mode] = await chat(mode, image);
  });

  test('none: every choice alone, on its own passes (the seed gives choices of different lengths)', () => {
    const { maxNfe, nfeSum } = runs.none!;
    assert.ok(nfeSum < N * maxNfe, `the choices' passes differ (sum ${nfeSum}, most ${maxNfe}); pick another seed`);
  });

  test('lockstep: the choices decoded as one batch, each running all of its passes', () => {
    const { maxNfe, nfeSum } = runs.lockstep!;
    assert.equal(maxNfe, runs.none!.maxNfe, 'the batch runs as long as its longest choice');
    assert.equal(nfeSum, N * maxNfe, 'every choice reports the batch passes');
  });

  test('continuous (the default): every choice on its own passes, as without batching', () => {
    assert.deepEqual(
      { maxNfe: runs.continuous!.maxNfe, nfeSum: runs.continuous!.nfeSum },
      { maxNfe: runs.none!.maxNfe, nfeSum: runs.none!.nfeSum },
    );
  });

  test('the same completions in every mode', () => {
    assert.deepEqual(runs.lockstep!.completions, runs.none!.completions);
    assert.deepEqual(runs.continuous!.completions, runs.none!.completions);
  });
});
