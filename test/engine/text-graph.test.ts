import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../server/engine/engine.js';
import { backboneGraph } from '../../server/engine/ort/backbone-graph.js';
import { tensor } from '../../server/engine/ort/protocol.js';
import { MODEL_ID, MODELS_DIR, NO_PACKAGE, PACKAGE_DIR } from './ort-reference.js';
import { ROOT } from './reference.js';

const grid = (n: number) => tensor('int64', new BigInt64Array(n * n), [1, n, n]);

describe('backboneGraph: the text-only graph for runs without a VQ grid', () => {
  const both = { backbone: {}, backbone_text: {} };
  test('text runs (prefill or pass without edit_vq / gen_vq, or with empty grids) take backbone_text', () => {
    assert.equal(backboneGraph({}, both), 'backbone_text');
    assert.equal(backboneGraph({ edit_vq: grid(0), gen_vq: grid(0) }, both), 'backbone_text');
  });
  test('runs with an edit source or a generation canvas keep the mixed graph', () => {
    assert.equal(backboneGraph({ edit_vq: grid(8), gen_vq: grid(0) }, both), 'backbone');
    assert.equal(backboneGraph({ gen_vq: grid(8) }, both), 'backbone');
  });
  test('a package without backbone_text runs everything on the mixed graph', () => {
    assert.equal(backboneGraph({}, { backbone: {} }), 'backbone');
  });
});

const NO_TEXT_GRAPH =
  NO_PACKAGE ||
  (JSON.parse(readFileSync(join(PACKAGE_DIR, 'manifest.json'), 'utf8')).graphs.backbone_text
    ? false
    : `the package in ${PACKAGE_DIR} has no backbone_text graph`);

// The same text jobs on the package and on a copy without backbone_text (as exported before it): the copy runs
// the mixed graph, the package the text-only one, and both give the same tokens and boxes.
describe('text jobs: text-only graph = mixed graph (a package without backbone_text still loads)', {
  skip: NO_TEXT_GRAPH,
}, () => {
  let root: string;
  let current: Engine;
  let older: Engine;
  const examples = join(ROOT, 'examples');
  const image = (name: string) => new Uint8Array(readFileSync(join(examples, name)));
  const questions = JSON.parse(readFileSync(join(examples, 'examples.json'), 'utf8')).examples.filter(
    (e: { endpoint: string }) => e.endpoint === '/v1/vqa',
  ) as Array<{ image: string; question: string }>;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'lavida-text-graph-'));
    const dir = join(root, 'older');
    mkdirSync(dir);
    for (const f of readdirSync(PACKAGE_DIR))
      if (f !== 'backbone_text.onnx') copyFileSync(join(PACKAGE_DIR, f), join(dir, f));
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    delete m.graphs.backbone_text;
    delete m.files['backbone_text.onnx'];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const load = (modelsDir: string, modelId: string) =>
      Engine.load({ modelsDir, modelId, device: 'cpu', workers: 1, intraOpNumThreads: 1, log: () => undefined });
    current = await load(MODELS_DIR, MODEL_ID);
    older = await load(root, 'older');
  });
  after(async () => {
    await current?.close();
    await older?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('VQA answer tokens, default and threshold + dual-cache decoding', async () => {
    assert.ok(questions.length >= 3);
    for (const q of questions) {
      for (const sampling of [{}, { threshold: 0.9, dualCache: true }]) {
        const [a, b] = await Promise.all([
          current.vqa(image(q.image), q.question, { sampling }),
          older.vqa(image(q.image), q.question, { sampling }),
        ]);
        assert.deepEqual(a.tokens, b.tokens, `${q.image} ${JSON.stringify(sampling)}`);
      }
    }
  });

  test('grounding bins (LOC logits of the text-only graph)', async () => {
    const [a, b] = await Promise.all(
      [1, 2].map(async (steps) => [
        await current.ground(image('ground.png'), 'the largest green object', { steps: steps as 1 | 2 }),
        await older.ground(image('ground.png'), 'the largest green object', { steps: steps as 1 | 2 }),
      ]),
    );
    for (const [x, y] of [a!, b!]) assert.deepEqual(x!.bins, y!.bins);
  });
});
