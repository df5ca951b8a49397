import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../server/engine/engine.js';
import { decodeImage } from '../../server/engine/image/preprocess.js';
import type { RgbImage } from '../../server/engine/image/rgb.js';
import type { Lease } from '../../server/engine/ort/pool.js';
import type { VqaTask } from '../../server/engine/package/manifest.js';
import type { VqaResult } from '../../server/engine/pipelines.js';
import { textSettings } from '../../server/engine/planning/text-plan.js';
import type { TextSamplerOptions } from '../../server/engine/sampling/text.js';
import { MODEL_ID, MODELS_DIR, NO_PYTHON, ortReference, type OrtCase } from './ort-reference.js';

// Continuous batching (text-lane.ts) on real ORT sessions: rows join and leave a running batch at pass boundaries,
// and every row's answer is exactly its answer alone (the Python ORT pipeline's, or the engine's one job at a
// time for sampled answers). Order is asserted through the rows' step events, never through timings.
describe('continuous batching: rows join and leave at pass boundaries, each with its solo answer', {
  skip: NO_PYTHON,
}, () => {
  let engine: Engine;
  const images = new Map<string, RgbImage>();
  const text = (): OrtCase[] => ortReference().cases.filter((c) => ['math', 'chart', 'mcq'].includes(c.family));
  const settings = (c: OrtCase, fast = false): Partial<TextSamplerOptions> => ({
    ...textSettings(engine.model, c.family as VqaTask),
    ...(fast && { threshold: 0.9, dualCache: true }),
  });
  const ask = (
    c: OrtCase,
    o: {
      fast?: boolean;
      sampling?: Partial<TextSamplerOptions>;
      seed?: number;
      signal?: AbortSignal;
      onStep?: (nfe: number) => void;
    } = {},
  ) =>
    engine.vqa(images.get(c.id)!, c.prompt, {
      sampling: { ...settings(c, o.fast), ...o.sampling },
      seed: o.seed,
      signal: o.signal,
      onStep: (e) => o.onStep?.(e.nfe),
    });

  before(async () => {
    const { dir, cases } = ortReference();
    engine = await Engine.load({
      modelsDir: MODELS_DIR!,
      modelId: MODEL_ID!,
      device: 'cpu',
      workers: 1,
      intraOpNumThreads: 1,
      log: () => undefined,
    });
    for (const c of cases) images.set(c.id, await decodeImage(readFileSync(join(dir, c.image))));
  });
  after(() => engine?.close());

  test("concurrent jobs of every family and both decodings share passes and get the Python pipeline's tokens", async () => {
    const cases = text();
    const rowsPerPass: number[] = [];
    const passRows = engine.model.runtime.passRows.bind(engine.model.runtime);
    engine.model.runtime.passRows = (lease, rows, t) => (rowsPerPass.push(rows.length), passRows(lease, rows, t));
    try {
      const [plain, fast] = await Promise.all([
        Promise.all(cases.map((c) => ask(c))),
        Promise.all(cases.map((c) => ask(c, { fast: true }))),
      ]);
      cases.forEach((c, i) => {
        assert.deepEqual(plain[i]!.tokens, c.tokens, `${c.id} default decoding`);
        assert.equal(plain[i]!.text, c.text, c.id);
        assert.deepEqual(fast[i]!.tokens, c.fast_tokens, `${c.id} threshold + dual cache`);
      });
      assert.ok(Math.max(...rowsPerPass) > 1, 'rows shared passes');
    } finally {
      engine.model.runtime.passRows = passRows;
    }
  });

  test('a job submitted mid-batch joins the running batch (no drain) and gets exactly its solo answer', async () => {
    const [a, b, late] = text();
    const events: string[] = [];
    let joined: Promise<VqaResult> | undefined;
    const first = [a!, b!].map((c, i) =>
      ask(c, {
        onStep: (nfe) => {
          events.push(`${i}:${nfe}`);
          if (i === 0 && nfe === 3) joined = ask(late!, { onStep: (n) => events.push(`late:${n}`) });
        },
      }),
    );
    const [ra, rb] = await Promise.all(first);
    const rl = await joined!;
    assert.deepEqual([ra!.tokens, rb!.tokens, rl.tokens], [a!.tokens, b!.tokens, late!.tokens]);
    const lateFirst = events.indexOf('late:1');
    const lastOfA = events.lastIndexOf(`0:${ra!.nfe}`);
    assert.ok(
      lateFirst >= 0 && lateFirst < lastOfA,
      `the late job ran passes while the first was still decoding: ${events.join(' ')}`,
    );
  });

  test('a row that is done is returned at once, while the others keep decoding', async () => {
    const [c] = text();
    const events: string[] = [];
    const short = ask(c!, { sampling: { decodeTokens: 1 }, onStep: (n) => events.push(`short:${n}`) }).then(
      (r) => (events.push('short:returned'), r),
    );
    const long = ask(c!, { onStep: (n) => events.push(`long:${n}`) });
    const [rs, rl] = await Promise.all([short, long]);
    const block = engine.model.layout.sampling.text!.block_length;
    assert.deepEqual(
      rs.tokens.slice(0, block),
      rl.tokens.slice(0, block),
      "the short row is the long one's first block",
    );
    assert.equal(
      rs.nfe,
      events.filter((e) => e.startsWith('short:') && e !== 'short:returned').length,
      "nfe counts the row's own passes",
    );
    const returned = events.indexOf('short:returned');
    assert.ok(
      events.slice(returned).some((e) => e.startsWith('long:')),
      `the long row decoded on after the short one returned: ${events.join(' ')}`,
    );
  });

  test('sampled answers (temperature, seed) are the same in a running batch as alone', async () => {
    const cases = text().slice(0, 3);
    const sampling = { temperature: 0.8 };
    const alone: VqaResult[] = [];
    for (const [i, c] of cases.entries()) alone.push(await ask(c, { sampling, seed: 100 + i }));
    const together = await Promise.all(cases.map((c, i) => ask(c, { sampling, seed: 100 + i })));
    cases.forEach((c, i) => assert.deepEqual(together[i]!.tokens, alone[i]!.tokens, c.id));
  });

  test('a failing row fails alone: its neighbours in the batch complete with their solo answers', async () => {
    const [a, b, c] = text();
    // a failure in the worker: row b's prompt cache is dropped there after its second pass, so its next pass fails
    let lease: Lease | undefined;
    const keys: string[] = [];
    const promptRow = engine.model.runtime.promptRow.bind(engine.model.runtime);
    engine.model.runtime.promptRow = async (l, ids, image) => {
      lease = l;
      const key = await promptRow(l, ids, image);
      keys.push(key);
      return key;
    };
    try {
      const results = await Promise.allSettled(
        [a!, b!, c!].map((x, i) =>
          ask(x, {
            onStep: (nfe) => {
              if (i === 1 && nfe === 2) lease!.drop(keys[1]!);
            },
          }),
        ),
      );
      assert.equal(results[1]!.status, 'rejected');
      assert.match(String((results[1] as PromiseRejectedResult).reason), /no cache/);
      assert.deepEqual(
        results.filter((_, i) => i !== 1).map((r) => (r as PromiseFulfilledResult<VqaResult>).value.tokens),
        [a!.tokens, c!.tokens],
      );
      // a failure on the main thread (the row's own step callback throws)
      const thrown = await Promise.allSettled(
        [a!, b!].map((x, i) =>
          ask(x, {
            fast: true,
            onStep: () => {
              if (i === 0) throw new Error('the client went away badly');
            },
          }),
        ),
      );
      assert.equal(thrown[0]!.status, 'rejected');
      assert.deepEqual((thrown[1] as PromiseFulfilledResult<VqaResult>).value.tokens, b!.fast_tokens);
    } finally {
      engine.model.runtime.promptRow = promptRow;
    }
  });

  test('a job cancelled mid-batch rejects at once and leaves the batch; the others are unchanged', async () => {
    const [a, b, c] = text();
    const controller = new AbortController();
    const rowsPerPass: number[] = [];
    const passRows = engine.model.runtime.passRows.bind(engine.model.runtime);
    engine.model.runtime.passRows = (lease, rows, t) => (rowsPerPass.push(rows.length), passRows(lease, rows, t));
    try {
      const results = await Promise.allSettled(
        [a!, b!, c!].map((x, i) =>
          ask(x, {
            fast: true,
            ...(i === 1 && {
              signal: controller.signal,
              onStep: (nfe) => {
                if (nfe === 2) controller.abort();
              },
            }),
          }),
        ),
      );
      assert.equal(results[1]!.status, 'rejected');
      assert.equal((results[1] as PromiseRejectedResult).reason.name, 'AbortError');
      assert.deepEqual(
        [0, 2].map((i) => (results[i] as PromiseFulfilledResult<VqaResult>).value.tokens),
        [a!.fast_tokens, c!.fast_tokens],
      );
      assert.ok(
        rowsPerPass.slice(-3).every((n) => n <= 2),
        `rows per pass at the end: ${rowsPerPass}`,
      );
    } finally {
      engine.model.runtime.passRows = passRows;
    }
  });
});
