// Temperature sampling in the engine (Gumbel-max over the graph's text logits, sampling/noise.ts) on the test
// package: greedy at 0, reproducible per seed alone or in a batch, different across seeds; and batchers of
// one-off settings do not pile up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../server/engine/engine.js';
import { decodeImage } from '../../server/engine/image/preprocess.js';
import type { RgbImage } from '../../server/engine/image/rgb.js';
import { MODEL_ID, MODELS_DIR, NO_PACKAGE } from '../package.js';
import { shapesPng } from '../server/fixtures.js';

const QUESTION = 'How many shapes are there?';
const HOT = { temperature: 1.5, genLength: 32, blockLength: 16, steps: 32 };

describe('engine temperature sampling', { skip: NO_PACKAGE }, () => {
  let engine: Engine;
  let image: RgbImage;
  before(async () => {
    engine = await Engine.load({
      modelsDir: MODELS_DIR,
      modelId: MODEL_ID,
      device: 'cpu',
      workers: 1,
      log: () => undefined,
      batching: { windowMs: 20, maxBatch: 8 },
    });
    image = await decodeImage(await shapesPng());
  });
  after(() => engine?.close());

  test('temperature 0 is the greedy decoding', async () => {
    const greedy = await engine.vqa(image, QUESTION, { sampling: { genLength: 32, blockLength: 16, steps: 32 } });
    const zero = await engine.vqa(image, QUESTION, { sampling: { ...HOT, temperature: 0 }, seed: 5 });
    assert.deepEqual(zero.tokens, greedy.tokens);
  });

  test('a seed gives the same tokens alone and in a batch; other seeds other tokens', async () => {
    const alone = await engine.vqa(image, QUESTION, { sampling: HOT, seed: 7 });
    assert.deepEqual((await engine.vqa(image, QUESTION, { sampling: HOT, seed: 7 })).tokens, alone.tokens);
    const batch = await Promise.all([7, 8, 9].map((seed) => engine.vqa(image, QUESTION, { sampling: HOT, seed })));
    assert.deepEqual(batch[0]!.tokens, alone.tokens);
    const greedy = await engine.vqa(image, QUESTION, { sampling: { ...HOT, temperature: 0 } });
    for (const other of [batch[1]!, batch[2]!, alone]) assert.notDeepEqual(other.tokens, greedy.tokens);
    assert.notDeepEqual(batch[1]!.tokens, alone.tokens);
    assert.notDeepEqual(batch[2]!.tokens, batch[1]!.tokens);
  });

  test('with the dual cache and threshold decoding too', async () => {
    const fast = { ...HOT, threshold: 0.9, dualCache: true };
    const a = await engine.vqa(image, QUESTION, { sampling: fast, seed: 11 });
    assert.deepEqual((await engine.vqa(image, QUESTION, { sampling: fast, seed: 11 })).tokens, a.tokens);
    assert.ok(!a.tokens.includes(engine.model.config.mask_token_id), 'every token decided');
  });

  test('requests with one-off settings leave no batcher behind', async () => {
    await Promise.all(
      [0.5, 0.6, 0.7].map((temperature) => engine.vqa(image, QUESTION, { sampling: { ...HOT, temperature }, seed: 1 })),
    );
    assert.equal(engine.batcherCount, 0);
  });
});
