import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../server/engine/engine.js';
import { decodeImage } from '../../server/engine/image/preprocess.js';
import type { PromptCache, StepInput } from '../../server/engine/ort/runtime.js';
import type { VqaTask } from '../../server/engine/package/manifest.js';
import { answerQuestions, editImages, groundBoxes, type Job } from '../../server/engine/pipelines.js';
import { editSettings } from '../../server/engine/planning/edit-plan.js';
import { textSettings } from '../../server/engine/planning/text-plan.js';
import { MODEL_ID, MODELS_DIR, NO_PYTHON, ortReference, PER_FAMILY, type OrtCase } from './ort-reference.js';

const MAX_BATCH = 16;

// Greedy parity: the TS pipelines on onnxruntime-node against train/lavida_r1/export/ort_pipeline.py on the same
// package and held-out world samples: identical answer tokens (each family over its own canvas), LOC bins and
// boxes, plan ids, VQ ids, pixels.
describe(`ORT pipelines = Python ort_pipeline (${PER_FAMILY} world samples per family, exact)`, {
  skip: NO_PYTHON,
}, () => {
  let engine: Engine;
  const jobs = new Map<string, Job>();
  const byFamily = (f: OrtCase['family']): OrtCase[] => ortReference().cases.filter((c) => c.family === f);

  before(async () => {
    const { dir, cases } = ortReference();
    // VQA in lockstep batches like the other tasks (continuous batching: continuous-batching.test.ts)
    engine = await Engine.load({
      modelsDir: MODELS_DIR!,
      modelId: MODEL_ID!,
      device: 'cpu',
      workers: 1,
      intraOpNumThreads: 1,
      batching: { windowMs: 20, maxBatch: MAX_BATCH },
      continuousBatching: false,
      log: () => undefined,
    });
    for (const c of cases)
      jobs.set(c.id, { prompt: c.prompt, image: await decodeImage(readFileSync(join(dir, c.image))) });
  });
  after(() => engine?.close());

  const checkText = (c: OrtCase, r: { tokens: number[]; text: string }): void => {
    assert.deepEqual(r.tokens, c.tokens, `${c.id} tokens`);
    assert.equal(r.text, c.text, `${c.id} text`);
  };

  for (const family of ['math', 'chart', 'mcq'] as const) {
    test(`${family}: answer tokens, one job at a time`, async () => {
      for (const c of byFamily(family)) {
        const r = (await answerQuestions(engine.model, [jobs.get(c.id)!], textSettings(engine.model, family)))[0]!;
        assert.equal(
          r.tokens.length,
          engine.model.layout.sampling.canvases?.[family] ?? engine.model.layout.sampling.text?.gen_length,
        );
        checkText(c, r);
      }
    });
  }

  const fast = (family: VqaTask) => ({ ...textSettings(engine.model, family), threshold: 0.9, dualCache: true });

  test('threshold 0.9 over the dual cache: answer tokens, one job at a time and as one batch per family', async () => {
    for (const family of ['math', 'chart', 'mcq'] as const) {
      const text = byFamily(family);
      for (const c of text)
        assert.deepEqual(
          (await answerQuestions(engine.model, [jobs.get(c.id)!], fast(family)))[0]!.tokens,
          c.fast_tokens,
          c.id,
        );
      const batch = text.slice(0, MAX_BATCH);
      const together = await answerQuestions(
        engine.model,
        batch.map((c) => jobs.get(c.id)!),
        fast(family),
      );
      batch.forEach((c, i) => assert.deepEqual(together[i]!.tokens, c.fast_tokens, `${c.id} in a batch`));
    }
  });

  test("threshold + dual cache: a job cancelled mid-batch leaves the others' tokens unchanged", async () => {
    const cases = byFamily('chart').slice(0, 3);
    assert.equal(cases.length, 3, 'needs LAVIDA_PARITY_N >= 3');
    const controller = new AbortController();
    let passes = 0;
    const step = engine.model.runtime.step.bind(engine.model.runtime);
    engine.model.runtime.step = async (...args) => {
      if (++passes === 3) controller.abort(); // inside the first block, after its window was kept
      return step(...args);
    };
    try {
      const results = await Promise.allSettled(
        cases.map((c, i) =>
          engine.vqa(jobs.get(c.id)!.image, c.prompt, {
            sampling: fast('chart'),
            ...(i === 1 && { signal: controller.signal }),
          }),
        ),
      );
      assert.equal(results[1]!.status, 'rejected');
      for (const i of [0, 2])
        assert.deepEqual(
          (results[i] as PromiseFulfilledResult<{ tokens: number[] }>).value.tokens,
          cases[i]!.fast_tokens,
        );
    } finally {
      engine.model.runtime.step = step;
    }
  });

  test('grounding: LOC bins and pixel boxes (valid boxes)', async () => {
    for (const c of byFamily('grounding')) {
      const [r] = await groundBoxes(engine.model, [jobs.get(c.id)!]);
      assert.deepEqual(r!.bins, c.bins, c.id);
      assert.deepEqual(r!.box, c.box, c.id);
      assert.ok(r!.box[2] > r!.box[0] && r!.box[3] > r!.box[1], `${c.id} box ${r!.box}`);
      const { width, height } = jobs.get(c.id)!.image;
      assert.deepEqual(r!.normalized, [r!.box[0] / width, r!.box[1] / height, r!.box[2] / width, r!.box[3] / height]);
    }
  });

  test('grounding in 1, 2 and 4 passes: LOC bins, one job at a time and as one batch', async () => {
    const cases = byFamily('grounding');
    for (const steps of [1, 2, 4] as const) {
      for (const c of cases)
        assert.deepEqual(
          (await groundBoxes(engine.model, [jobs.get(c.id)!], steps))[0]!.bins,
          c.bins_by_steps![steps],
          `${c.id} steps ${steps}`,
        );
      const batch = cases.slice(0, MAX_BATCH);
      const together = await groundBoxes(
        engine.model,
        batch.map((c) => jobs.get(c.id)!),
        steps,
      );
      batch.forEach((c, i) =>
        assert.deepEqual(together[i]!.bins, c.bins_by_steps![steps], `${c.id} steps ${steps} in a batch`),
      );
    }
  });

  test('edit: plan ids, VQ ids and decoded pixels; a PNG of the same pixels', async () => {
    for (const c of byFamily('edit')) {
      const [r] = await editImages(engine.model, [jobs.get(c.id)!]);
      assert.deepEqual(r!.planIds, c.plan_ids, `${c.id} plan`);
      assert.equal(r!.plan, c.plan);
      assert.deepEqual(r!.vq, c.vq, `${c.id} vq`);
      assert.deepEqual(Array.from(r!.rgb.data), c.pixels, `${c.id} pixels`);
      assert.deepEqual(Array.from((await decodeImage(r!.png)).data), c.pixels, `${c.id} png`);
    }
  });

  test('guided edit: the VQ ids of the Python guided decoding at each scale pair, one job at a time and batched', async () => {
    const cases = byFamily('edit');
    const pairs = Object.keys(cases[0]!.guided_vq!);
    assert.ok(pairs.length >= 2, 'the reference has guided cases');
    for (const pair of pairs) {
      const [text, image] = pair.split(',').map(Number) as [number, number];
      const settings = { ...editSettings(engine.model), guidance: { text, image } };
      for (const c of cases) {
        const [r] = await editImages(engine.model, [jobs.get(c.id)!], settings);
        assert.deepEqual(r!.planIds, c.plan_ids, `${c.id} plan`);
        assert.deepEqual(r!.vq, c.guided_vq![pair], `${c.id} vq at ${pair}`);
      }
      const batched = await editImages(
        engine.model,
        cases.map((c) => jobs.get(c.id)!),
        settings,
      );
      cases.forEach((c, i) => assert.deepEqual(batched[i]!.vq, c.guided_vq![pair], `${c.id} batched vq at ${pair}`));
    }
    assert.ok(
      cases.some((c) => pairs.some((p) => c.guided_vq![p]!.join() !== c.vq!.join())),
      'guidance changes some image',
    );
  });

  test('concurrent engine requests run as batches (left-padded prompts) and equal the single-job results', async () => {
    const batches: number[] = [];
    const prefill = engine.model.runtime.prefill.bind(engine.model.runtime);
    engine.model.runtime.prefill = (lease, rows, edit) => (batches.push(rows.length), prefill(lease, rows, edit));
    try {
      const text = [...byFamily('math'), ...byFamily('chart')];
      const [answers, boxes, edits] = await Promise.all([
        Promise.all(
          text.map((c) =>
            engine.vqa(jobs.get(c.id)!.image, c.prompt, { sampling: textSettings(engine.model, c.family as VqaTask) }),
          ),
        ),
        Promise.all(byFamily('grounding').map((c) => engine.ground(jobs.get(c.id)!.image, c.prompt))),
        Promise.all(byFamily('edit').map((c) => engine.edit(jobs.get(c.id)!.image, c.prompt))),
      ]);
      text.forEach((c, i) => checkText(c, answers[i]!));
      byFamily('grounding').forEach((c, i) => assert.deepEqual(boxes[i]!.bins, c.bins, c.id));
      byFamily('edit').forEach((c, i) => assert.deepEqual([edits[i]!.planIds, edits[i]!.vq], [c.plan_ids, c.vq], c.id));
      // one batch per task and settings (math and chart: their own canvases), cut at maxBatch rows
      const cut = (n: number): number[] =>
        Array.from({ length: Math.ceil(n / MAX_BATCH) }, (_, i) => Math.min(MAX_BATCH, n - i * MAX_BATCH));
      const perFamily = [...cut(PER_FAMILY), ...cut(PER_FAMILY), ...cut(PER_FAMILY), ...cut(PER_FAMILY)];
      assert.deepEqual(batches.sort(), perFamily.sort(), 'batches per task and canvas');
    } finally {
      engine.model.runtime.prefill = prefill;
    }
  });

  test('a job cancelled mid-decoding rejects at once and its row is no longer run; the others are unchanged', async () => {
    const cases = byFamily('chart').slice(0, 3);
    assert.equal(cases.length, 3, 'needs LAVIDA_PARITY_N >= 3');
    const controller = new AbortController();
    const rowsPerStep: number[] = [];
    const step = engine.model.runtime.step.bind(engine.model.runtime);
    engine.model.runtime.step = async (
      lease,
      cache: PromptCache,
      s: StepInput,
      againstWindow?: boolean,
      only?: number[],
    ) => {
      rowsPerStep.push((only ?? cache.rows).length);
      if (rowsPerStep.length === 2) controller.abort();
      return step(lease, cache, s, againstWindow, only);
    };
    try {
      const results = await Promise.allSettled(
        cases.map((c, i) =>
          engine.vqa(jobs.get(c.id)!.image, c.prompt, {
            sampling: textSettings(engine.model, 'chart'),
            ...(i === 1 && { signal: controller.signal }),
          }),
        ),
      );
      assert.equal(results[1]!.status, 'rejected');
      assert.equal((results[1] as PromiseRejectedResult).reason.name, 'AbortError');
      for (const i of [0, 2])
        checkText(cases[i]!, (results[i] as PromiseFulfilledResult<{ tokens: number[]; text: string }>).value);
      assert.deepEqual(rowsPerStep.slice(0, 2), [3, 3]);
      assert.ok(
        rowsPerStep.slice(2).every((n) => n <= 2),
        `rows per step after the abort: ${rowsPerStep.slice(2)}`,
      );
    } finally {
      engine.model.runtime.step = step;
    }
  });
});
