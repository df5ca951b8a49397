import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boxBinRanges } from '../../server/engine/image/boxes.js';
import { generateBox } from '../../server/engine/sampling/grounding.js';
import { generateImage } from '../../server/engine/sampling/image.js';
import { chooseTokens } from '../../server/engine/sampling/noise.js';
import { stratifiedOrder } from '../../server/engine/sampling/order.js';
import { PyRandom } from '../../server/engine/sampling/pyrandom.js';
import { cosineTemperature, transferCounts } from '../../server/engine/sampling/schedules.js';
import { selectScheduled, selectThreshold } from '../../server/engine/sampling/select.js';
import { generateText, stopRowAtEos } from '../../server/engine/sampling/text.js';
import { fakeDenoiser, fakeLocLogits } from './fake-denoiser.js';
import { reference, SKIP_REASON } from './reference.js';

const TEXT_TOKENS = [...Array.from({ length: 12 }, (_, i) => i), 101, 102];
const TEXT_IDS = { maskId: 100, eosId: 101, eotId: 102 };
const LOC_BINS = 9; // sampling_cases.py IDS.num_loc_bins
const num = (x: number | string): number => (x === '-inf' ? -Infinity : x === 'inf' ? Infinity : (x as number));

describe('sampler logic = lavida_r1.sampling', { skip: SKIP_REASON }, () => {
  const s = () => reference().cases.sampling;

  test('transfer_counts (uniform and shift, 400 cases)', () => {
    for (const c of s().counts)
      assert.deepEqual(
        transferCounts(...(c.args as [number, number, 'uniform', number])),
        c.out,
        JSON.stringify(c.args),
      );
  });

  test('select_scheduled and select_threshold (ties, -inf)', () => {
    for (const c of s().selects) {
      const conf = c.conf.map(num);
      assert.deepEqual(selectScheduled(conf, c.k), c.scheduled);
      assert.deepEqual(selectThreshold(conf, c.threshold), c.thresholded);
    }
  });

  test('_stop_rows_at_eos', () => {
    for (const c of s().stops) {
      const canvas = Int32Array.from(c.canvas as number[]);
      const done = stopRowAtEos(
        canvas,
        c.fixed.map(Number),
        0,
        canvas.length,
        c.end,
        TEXT_IDS,
        (t) => t === 101 || t === 102,
      );
      assert.deepEqual([...canvas], c.out);
      assert.equal(done, c.done);
    }
  });

  test('random.Random: random, shuffle, choice, getrandbits', () => {
    for (const c of s().pyrandom) {
      const r = new PyRandom(BigInt(c.seed));
      assert.deepEqual(
        Array.from({ length: 5 }, () => r.random()),
        c.floats,
      );
      const items = Array.from({ length: c.shuffled.length }, (_, i) => i);
      r.shuffle(items);
      assert.deepEqual(items, c.shuffled);
      assert.deepEqual(
        Array.from({ length: 30 }, (_, n) => r.choice(Array.from({ length: n + 1 }, (_, i) => i + 1))),
        c.choices,
      );
      assert.deepEqual(
        Array.from({ length: 33 }, (_, k) => r.getrandbits(k)),
        c.bits,
      );
    }
  });

  test('stratified_order', () => {
    for (const c of s().orders) assert.deepEqual(stratifiedOrder(...(c.args as [number, number, number])), c.order);
  });

  test('cosine_temperature (within 1e-15: V8 and glibc cos may differ by an ulp)', () => {
    for (const c of s().temperatures)
      assert.ok(Math.abs(cosineTemperature(...(c.args as [number, number, number, number])) - c.out) < 1e-15);
  });

  test('text driver: same tokens, unmask steps and NFE on 120 random configurations', async () => {
    for (const c of s().text) {
      const o = c.config;
      const L = o.gen_length;
      const out = await generateText(
        fakeDenoiser(c.salt, L, TEXT_TOKENS),
        TEXT_IDS,
        {
          genLength: L,
          blockLength: o.block_length,
          steps: o.steps,
          schedule: o.schedule,
          shift: o.shift,
          threshold: o.threshold,
          stopAtEos: o.stop_at_eos,
          eosConfidenceInf: o.eos_confidence_inf,
        },
        c.batch,
        c.draft ? c.draft.flat() : undefined,
      );
      const what = JSON.stringify(c.config);
      assert.deepEqual([...out.tokens], c.tokens.flat(), what);
      assert.deepEqual([...out.unmaskStep], c.unmask_step.flat(), what);
      assert.equal(out.nfe, c.nfe, what);
    }
  });

  test('grounding driver (valid boxes, pixel ranges): same bins and canvas', async () => {
    const ids = { maskId: 100, locOffset: 0, locBeginId: 200, locEndId: 201, eotId: 102 };
    for (const c of s().grounding) {
      const sizes: [number, number][] = c.sizes ?? new Array(c.batch).fill([1, 1]);
      const ranges = sizes.map(([w, h]) => boxBinRanges(w, h, LOC_BINS));
      const out = await generateBox(fakeLocLogits(c.salt, LOC_BINS), ids, ranges, LOC_BINS, c.steps);
      assert.deepEqual([...out.bins], c.bins.flat());
      assert.deepEqual([...out.tokens], c.tokens.flat());
    }
  });

  test('image driver: same VQ ids, unmask steps and NFE (stratified and confidence order, resumed canvases)', async () => {
    for (const c of s().image) {
      const o = c.config;
      const out = await generateImage(
        fakeDenoiser(c.salt, c.grid * c.grid, 1024),
        1025,
        {
          grid: c.grid,
          steps: o.steps,
          shift: o.shift,
          order: o.order,
          orderSeed: o.order_seed,
          startStep: c.start,
        },
        c.batch,
        c.init ? c.init.flat() : undefined,
      );
      assert.deepEqual([...out.vq], c.vq.flat(), JSON.stringify(c.config));
      assert.deepEqual([...out.unmaskStep], c.unmask_step.flat());
      assert.equal(out.nfe, c.nfe);
    }
  });
});

describe('chooseTokens (logits → candidates)', () => {
  const logits = Float32Array.from([0, 2, 1, /* row 2 */ 5, 5, -1]);
  test('greedy: argmax (first on ties) and its softmax probability', () => {
    const out = chooseTokens(logits, 3, 0, null);
    assert.deepEqual(Array.from(out.ids), [1, 0]);
    assert.ok(Math.abs(out.confidence[0]! - Math.exp(2) / (1 + Math.exp(2) + Math.exp(1))) < 1e-12);
  });
  test('temperature needs a seeded source and is reproducible', () => {
    assert.throws(() => chooseTokens(logits, 3, 1, null), /seeded/);
    const a = chooseTokens(logits, 3, 1, new PyRandom(5));
    const b = chooseTokens(logits, 3, 1, new PyRandom(5));
    assert.deepEqual(a, b);
  });
});
