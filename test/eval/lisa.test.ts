import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import {
  continuousIou,
  locToPixels,
  parseBaselineBox,
  parseLocBins,
  parseR1Box,
  toPixels,
  vlmR1Iou,
  type Box,
} from '../../eval/benchmarks/lisa/box.js';
import { loadLisa, type LisaRecord } from '../../eval/benchmarks/lisa/load.js';
import { DEFAULT_LISA_OPTIONS, lisaPrompt, scoreLisa } from '../../eval/benchmarks/lisa/score.js';
import { imageSize } from '../../eval/imagesize.js';
import { jpeg, png, put, solidPng, tempDir } from './helpers.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 5e-7, `${a} ≉ ${b}`);

describe('Lisa IoU (fixtures)', () => {
  const cases: Array<[Box, Box, number, number]> = [
    [[10, 10, 50, 50], [20, 20, 60, 60], 0.391304, 0.391304],
    [[0, 0, 10, 10], [9, 0, 20, 10], 0, 0.05],
    [[0, 0, 10, 10], [9.5, 0, 20, 10], 0, 0.025],
    [[0, 0, 0, 0], [74, 302, 181, 500], 0, 0],
    [[70, 300, 180, 500], [74, 302, 181, 500], 0.945491, 0.945491],
  ];
  for (const [p, g, vlm, cont] of cases) {
    test(`VLM-R1 IoU ${JSON.stringify(p)} vs ${JSON.stringify(g)} = ${vlm}`, () => close(vlmR1Iou(p, g), vlm));
    test(`continuous IoU ${JSON.stringify(p)} vs ${JSON.stringify(g)} = ${cont}`, () =>
      close(continuousIou(p, g), cont));
  }
});

describe('Lisa IoU (edge cases)', () => {
  test('identical boxes → 1', () => assert.equal(vlmR1Iou([1, 2, 30, 40], [1, 2, 30, 40]), 1));
  test('overlap of exactly 2 px counts under VLM-R1', () => assert.ok(vlmR1Iou([0, 0, 10, 10], [8, 0, 20, 10]) > 0));
  test('2 px overlap equals the continuous value', () =>
    close(vlmR1Iou([0, 0, 10, 10], [8, 0, 20, 10]), continuousIou([0, 0, 10, 10], [8, 0, 20, 10])));
  test('disjoint → 0', () => assert.equal(continuousIou([0, 0, 5, 5], [10, 10, 20, 20]), 0));
  test('empty union → 0 instead of a division by zero', () => {
    assert.equal(vlmR1Iou([0, 0, 0, 0], [0, 0, 0, 0]), 0);
    assert.equal(continuousIou([0, 0, 0, 0], [0, 0, 0, 0]), 0);
  });
  test('contained box', () => close(continuousIou([0, 0, 10, 10], [0, 0, 5, 10]), 0.5));
});

describe('Lisa parsing (VLM-R1 R1 parser fixtures)', () => {
  test('JSON bbox_2d inside <answer> after <think>', () =>
    assert.deepEqual(
      parseR1Box('<think>…</think><answer>{"bbox_2d": [74, 302, 181, 500], "label": "dog"}</answer>'),
      [74, 302, 181, 500],
    ));
  test('no braces → failure', () => assert.equal(parseR1Box('<answer>[74, 302, 181, 500]</answer>'), null));
  test('non-integers → failure', () =>
    assert.equal(parseR1Box('<answer>{"bbox_2d": [74.5, 302, 181, 500]}</answer>'), null));
  test('no <answer> tag → failure', () => assert.equal(parseR1Box('{"bbox_2d": [1, 2, 3, 4]}'), null));
  test('first <answer> is used', () =>
    assert.deepEqual(parseR1Box('<answer>{"b": [1,2,3,4]}</answer><answer>{"b": [5,6,7,8]}</answer>'), [1, 2, 3, 4]));
  test('multi-line answer: `.` does not cross newlines', () =>
    assert.equal(parseR1Box('<answer>{\n"bbox_2d": [1, 2, 3, 4]\n}</answer>'), null));
  test('no spaces after commas is fine', () =>
    assert.deepEqual(parseR1Box('<answer>{"bbox_2d":[1,2,3,4]}</answer>'), [1, 2, 3, 4]));
  test('space before a comma fails (pattern has none)', () =>
    assert.equal(parseR1Box('<answer>{"bbox_2d": [1 , 2, 3, 4]}</answer>'), null));
  test('negative numbers fail', () => assert.equal(parseR1Box('<answer>{"bbox_2d": [-1, 2, 3, 4]}</answer>'), null));
  test('the last box inside one {...} wins (greedy .*)', () =>
    assert.deepEqual(parseR1Box('<answer>{"a": [1, 2, 3, 4], "b": [5, 6, 7, 8]}</answer>'), [5, 6, 7, 8]));
});

describe('Lisa parsing (baseline and LOC)', () => {
  test('baseline accepts floats and negatives anywhere', () =>
    assert.deepEqual(parseBaselineBox('box: [-1.5, 2, .5, 4]'), [-1.5, 2, 0.5, 4]));
  test('baseline: no list → failure', () => assert.equal(parseBaselineBox('nothing'), null));
  test('LOC tokens', () =>
    assert.deepEqual(parseLocBins('<LOC_BEGIN><LOC_0><LOC_12><LOC_512> <LOC_1024><LOC_END>'), [0, 12, 512, 1024]));
  test('fewer than four LOC tokens → failure', () =>
    assert.equal(parseLocBins('<LOC_BEGIN><LOC_1><LOC_2><LOC_END>'), null));
  test('LOC on a wide image: centred padding is removed', () =>
    assert.deepEqual(
      locToPixels([0, 256, 1024, 768], { width: 200, height: 100 }, { bins: 1025, pad: 'center' }),
      [0, 0, 200, 100],
    ));
  test('LOC on a tall image with top-left padding', () =>
    assert.deepEqual(
      locToPixels([0, 0, 512, 1024], { width: 100, height: 200 }, { bins: 1025, pad: 'topleft' }),
      [0, 0, 100, 200],
    ));
  test('norm1 → pixels', () =>
    assert.deepEqual(
      toPixels([0.1, 0.2, 0.5, 1], { kind: 'norm', scale: 1 }, { width: 200, height: 100 }),
      [20, 20, 100, 100],
    ));
  test('norm1000 → pixels', () =>
    assert.deepEqual(
      toPixels([100, 200, 500, 1000], { kind: 'norm', scale: 1000 }, { width: 200, height: 100 }),
      [20, 20, 100, 100],
    ));
  test('resized input pixels → original (x * W / input_w)', () =>
    assert.deepEqual(
      toPixels([14, 28, 28, 56], { kind: 'resized', width: 28, height: 56 }, { width: 280, height: 112 }),
      [140, 56, 280, 112],
    ));
  test('pixels stay', () => assert.deepEqual(toPixels([1, 2, 3, 4], { kind: 'pixels' }, null), [1, 2, 3, 4]));
});

describe('image sizes (sharp metadata)', () => {
  test('PNG, JPEG and WebP', async () => {
    const dir = await tempDir();
    const webp = await sharp(await solidPng(5, 9, [1, 2, 3]))
      .webp()
      .toBuffer();
    assert.deepEqual(await imageSize(await put(join(dir, 'a.png'), png(7, 3))), { width: 7, height: 3 });
    assert.deepEqual(await imageSize(await put(join(dir, 'b.jpg'), await jpeg(640, 480))), { width: 640, height: 480 });
    assert.deepEqual(await imageSize(await put(join(dir, 'c.webp'), webp)), { width: 5, height: 9 });
  });
  test('not an image → an error naming the file', async () => {
    const file = await put(join(await tempDir(), 'x.png'), new Uint8Array([1, 2, 3]));
    await assert.rejects(imageSize(file), /cannot read the size of image .*x\.png/);
  });
});

const rec = (i: number, solution: Box, image = 'a.png'): LisaRecord => ({
  index: i,
  image,
  imagePath: `/nope/${image}`,
  problem: 'p',
  solution,
});

describe('Lisa scoring', () => {
  const gt: Box = [74, 302, 181, 500];
  test('mIoU and P@0.5 with VLM-R1 defaults; parse failures count as IoU 0', async () => {
    const records = [rec(0, gt), rec(1, gt), rec(2, [0, 0, 10, 10])];
    const report = await scoreLisa(records, [
      { id: '0', response: '<answer>{"bbox_2d": [70, 300, 180, 500]}</answer>' },
      { id: '1', response: '<answer>[74, 302, 181, 500]</answer>' },
      { id: '2', response: '<answer>{"bbox_2d": [9, 0, 20, 10]}</answer>' },
    ]);
    assert.ok(Math.abs((report.metrics.miou as number) - (0.945491 / 3) * 100) < 1e-4);
    close(report.metrics['P@0.5'] as number, 100 / 3);
    assert.equal(report.metrics.parse_failures, 1);
    assert.deepEqual(report.samples[1]!.box, [0, 0, 0, 0]);
  });
  test('> vs >= at an IoU of exactly 0.5', async () => {
    const records = [rec(0, [0, 0, 10, 10])];
    const preds = [{ id: '0', response: '<answer>{"bbox_2d": [0, 0, 5, 10]}</answer>' }];
    assert.equal((await scoreLisa(records, preds, { ...DEFAULT_LISA_OPTIONS, iou: 'continuous' })).metrics['P@0.5'], 0);
    assert.equal(
      (await scoreLisa(records, preds, { ...DEFAULT_LISA_OPTIONS, iou: 'continuous', compare: '>=' })).metrics['P@0.5'],
      100,
    );
  });
  test('structured box from the server wins over text', async () => {
    const report = await scoreLisa([rec(0, gt)], [{ id: '0', response: 'garbage', box: gt }]);
    assert.equal(report.metrics.miou, 100);
    assert.equal(report.samples[0]!.source, 'box');
  });
  test('LOC output mapped with the image size', async () => {
    const opts = { ...DEFAULT_LISA_OPTIONS, sizeOf: async () => ({ width: 200, height: 100 }) };
    const report = await scoreLisa(
      [rec(0, [0, 0, 200, 100])],
      [{ id: '0', response: '<LOC_BEGIN><LOC_0><LOC_256><LOC_1024><LOC_768><LOC_END>' }],
      opts,
    );
    assert.equal(report.metrics.miou, 100);
  });
  test('norm1000 coordinates read the image size from the file', async () => {
    const dir = await tempDir();
    await put(join(dir, 'img.jpg'), await jpeg(200, 100));
    const r: LisaRecord = {
      index: 0,
      image: 'img.jpg',
      imagePath: join(dir, 'img.jpg'),
      problem: 'p',
      solution: [20, 20, 100, 100],
    };
    const report = await scoreLisa(
      [r],
      [{ id: '0', response: '<answer>{"bbox_2d": [100, 200, 500, 1000]}</answer>' }],
      {
        ...DEFAULT_LISA_OPTIONS,
        coords: { kind: 'norm', scale: 1000 },
      },
    );
    assert.equal(report.metrics.miou, 100);
  });
  test('threshold is configurable and named in the metric', async () => {
    const report = await scoreLisa(
      [rec(0, gt)],
      [{ id: '0', response: '<answer>{"b": [70, 300, 180, 500]}</answer>' }],
      { ...DEFAULT_LISA_OPTIONS, threshold: 0.95 },
    );
    assert.equal(report.metrics['P@0.95'], 0);
  });
  test('prompt', () =>
    assert.match(
      lisaPrompt({ problem: 'the dog' }),
      /^the dog First output the thinking process in <think> <\/think> tags/,
    ));
});

describe('Lisa loader', () => {
  test('lisa_test.json + lisa_test/ image folder; ids are array indices', async () => {
    const dir = await tempDir();
    await put(join(dir, 'lisa_test', 'a b.jpg'), await jpeg(10, 20));
    await put(
      join(dir, 'lisa_test.json'),
      JSON.stringify([
        {
          image: 'a b.jpg',
          problem: '<image>What keeps food cold?',
          solution: [74.0, 302.0, 181.0, 500.0],
          normal_caption: 'x',
        },
        { image: 'a b.jpg', problem: 'second', solution: [1, 2, 3, 4] },
      ]),
    );
    const records = await loadLisa(dir);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.imagePath, join(dir, 'lisa_test', 'a b.jpg'));
    assert.deepEqual(records[0]!.solution, [74, 302, 181, 500]);
    assert.deepEqual(await imageSize(records[1]!.imagePath), { width: 10, height: 20 });
  });
  test('bad record → error naming its index', async () => {
    const dir = await tempDir();
    await put(join(dir, 'lisa_test.json'), JSON.stringify([{ image: 'x', problem: 'p', solution: [1, 2, 3] }]));
    await assert.rejects(loadLisa(dir), /record 0 lacks/);
  });
  test('missing image → clear error', async () => assert.rejects(imageSize('/nonexistent/x.png'), /image not found/));
});
