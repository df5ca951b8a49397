import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadMMMUPro, type MMMUProRecord } from '../../eval/benchmarks/mmmupro/load.js';
import { parseMultiChoice, type ParseOptions } from '../../eval/benchmarks/mmmupro/parse.js';
import { countBareImages, INSTRUCTIONS, mmmuProPrompt } from '../../eval/benchmarks/mmmupro/prompt.js';
import { scoreMMMUPro } from '../../eval/benchmarks/mmmupro/score.js';
import { columnsFor, GAP, layoutImages, MAX_SIDE } from '../../eval/compose.js';
import { keyedRng } from '../../eval/rng.js';
import { mmmuPro } from '../../eval/benchmarks/mmmupro/index.js';
import { cli, MULTI_IMAGES, S, png, tempDir, writeMMMUProMultiImage, writeParquet, type Rgb } from './helpers.js';

// Ten options in the spirit of test_History_1 (GT B); B and C hold the texts the fixtures rely on.
const OPTS = [
  'Expansion of maritime empires',
  'The spread of pathogens across the Silk Road',
  'Development of new trade routes',
  'Growth of urban centers',
  'Rise of nomadic confederations',
  'Decline of feudal obligations',
  'Spread of printing',
  'Climate shifts in Eurasia',
  'Religious reform movements',
  'Population decline after famines',
];
const NO_RANDOM: ParseOptions = { fastPath: true, fallback: 'wrong', rng: () => 0 };
const parse = (r: string, o: Partial<ParseOptions> = {}): { letter: string; fallback: boolean } =>
  parseMultiChoice(r, OPTS, { ...NO_RANDOM, ...o });

describe('MMMU-Pro parser (fixtures)', () => {
  const cases: Array<[string, string]> = [
    ['Answer: C', 'C'],
    ['The answer is (B).', 'B'],
    ['B', 'B'],
    ["I think it's A or B", 'B'],
    ['The spread of pathogens across the Silk Road is the best explanation here.', 'B'],
    ['Answer: (C) Development of new trade routes', 'C'],
    ['DNA evidence suggests option', 'A'],
    ['Answer: $B', 'B'],
    ['**Answer: J**', 'J'],
  ];
  for (const [r, want] of cases)
    test(`${JSON.stringify(r)} → ${want}`, () => assert.deepEqual(parse(r), { letter: want, fallback: false }));
  test('"b" → random fallback', () => {
    assert.deepEqual(parse('b'), { letter: '', fallback: true });
    const r = parse('b', { fallback: 'random', rng: () => 0.95 });
    assert.deepEqual(r, { letter: 'J', fallback: true });
  });
});

describe('MMMU-Pro parser (edge cases from the rules)', () => {
  test('rfind takes the last Answer:', () => assert.equal(parse('Answer: A\nAnswer: D').letter, 'D'));
  test('fast path tail is stripped', () => assert.equal(parse('Reasoning... Answer:  E  ').letter, 'E'));
  test('lowercase "answer:" skips the fast path; "C " still matches', () =>
    assert.equal(parse('answer: C').letter, 'C'));
  test('several brackets: the last (X) wins', () => assert.equal(parse('(A) is wrong, (D) is right').letter, 'D'));
  test('bracket rfind decides, not letter order', () => assert.equal(parse('(D) is right, not (A)').letter, 'A'));
  test('trailing period stripped', () => assert.equal(parse('C.').letter, 'C'));
  test('surrounding quotes stripped', () => assert.equal(parse("'C'").letter, 'C'));
  test('"X." rule when no "X " exists', () => assert.equal(parse('xE.y').letter, 'E'));
  test('fast path with two letters falls through to "B " (from "AB ")', () =>
    assert.equal(parse('Answer: AB').letter, 'B'));
  test('fast path ignores letters beyond the options', () =>
    assert.equal(parseMultiChoice('Answer: E', ['x', 'y', 'z', 'w'], NO_RANDOM).fallback, true));
  test('option count decides the letters (3 options)', () =>
    assert.equal(parseMultiChoice('Answer: C', ['x', 'y', 'z'], NO_RANDOM).letter, 'C'));
  test('content match needs more than 5 words', () =>
    assert.equal(parse('Development of new trade routes').fallback, true));
  test('content match with 6+ words', () =>
    assert.equal(parse('so it is development of new trade routes').letter, 'C'));
  test('several content matches: the last occurrence wins', () =>
    assert.equal(parse('spread of printing first, later growth of urban centers happened').letter, 'D'));
  test('"{c} " matches inside words ("I " in a sentence start)', () => assert.equal(parse('I guess so').letter, 'I'));
  test('no fast path in lmms-eval mode', () =>
    assert.equal(parse('**Answer: J**', { fastPath: false }).fallback, true));
  test('lmms-eval: "Answer: C" still parses via "C "', () =>
    assert.equal(parse('Answer: C', { fastPath: false }).letter, 'C'));
  test('empty response → fallback', () => assert.equal(parse('').fallback, true));
  test('no options → fallback with no letter even when random', () =>
    assert.deepEqual(parseMultiChoice('A', [], { ...NO_RANDOM, fallback: 'random' }), { letter: '', fallback: true }));
  test('keyed rng is deterministic and key-dependent', () => {
    const a = keyedRng(0, 'standard/x')();
    assert.equal(keyedRng(0, 'standard/x')(), a);
    assert.notEqual(keyedRng(1, 'standard/x')(), a);
    assert.notEqual(keyedRng(0, 'standard/y')(), a);
  });
});

function std(over: Partial<MMMUProRecord> = {}): MMMUProRecord {
  return {
    setting: 'standard',
    id: 'test_History_1',
    question: 'Which of the following best explains the overall trend shown in the <image 1>?',
    options: OPTS,
    answer: 'B',
    subject: 'History',
    images: new Map(),
    ...over,
  };
}

describe('MMMU-Pro prompts', () => {
  test('official standard: question, A. lines, instruction; a single <image N> → <image> in its place', () => {
    const p = mmmuProPrompt(std({ options: ['x', 'y'] }), 'official', true);
    assert.equal(
      p.text,
      `Which of the following best explains the overall trend shown in the <image>?\nA. x\nB. y\n${INSTRUCTIONS.officialCotStandard}`,
    );
    assert.deepEqual(p.imageRefs, [1]);
  });
  test('official standard, several tags: kept as written (one composed image per request), sorted unique images', () => {
    const r = std({ question: 'See <image 2> and <image 1>, then <image  2>.', options: ['<image 3>', 'b'] });
    const p = mmmuProPrompt(r, 'official', true);
    assert.equal(
      p.text,
      `See <image 2> and <image 1>, then <image  2>.\nA. <image 3>\nB. b\n${INSTRUCTIONS.officialCotStandard}`,
    );
    assert.deepEqual(p.imageRefs, [1, 2, 3]);
  });
  test('official standard, one image named twice: tags kept (two bare <image> would be refused), one image', () => {
    const p = mmmuProPrompt(
      std({ question: 'Is <image 1> symmetric?', options: ['yes, <image 1> is', 'no'] }),
      'official',
      false,
    );
    assert.equal(countBareImages(p.text), 0);
    assert.match(p.text, /^Is <image 1> symmetric\?\nA\. yes, <image 1> is\n/);
    assert.deepEqual(p.imageRefs, [1]);
  });
  test('lmms-eval standard: blank line before the post prompt, tags kept, sorted unique images', () => {
    const r = std({ question: 'See <image 2> and <image 1>, then <image 2>.', options: ['<image 3>', 'b'] });
    const p = mmmuProPrompt(r, 'lmms-eval', false);
    assert.equal(
      p.text,
      'See <image 2> and <image 1>, then <image 2>.\nA. <image 3>\nB. b\n\nAnswer with the option letter from the given choices directly.',
    );
    assert.deepEqual(p.imageRefs, [1, 2, 3]);
  });
  test('vision prompts are instruction-only with the screenshot', () => {
    const v = std({ setting: 'vision', question: null });
    assert.deepEqual(mmmuProPrompt(v, 'official', true), { text: INSTRUCTIONS.cotVision, imageRefs: [0] });
    assert.match(
      mmmuProPrompt(v, 'official', false).text,
      /^Answer with the option letter from the given choices directly\. The last line/,
    );
  });
  test('cot wording: official "preceding", lmms-eval "following"', () => {
    assert.match(mmmuProPrompt(std(), 'official', true).text, /Answer the preceding multiple choice question\./);
    assert.match(mmmuProPrompt(std(), 'lmms-eval', true).text, /Answer the following multiple choice question\./);
  });
});

describe('MMMU-Pro scoring', () => {
  const vision = (over: Partial<MMMUProRecord> = {}): MMMUProRecord =>
    std({ setting: 'vision', question: null, ...over });
  test('standard, vision and their mean; ids prefixed when both settings are loaded', () => {
    const records = [
      std(),
      std({ id: 'test_Art_2', answer: 'C', subject: 'Art' }),
      vision(),
      vision({ id: 'test_Art_2', answer: 'C', subject: 'Art' }),
    ];
    const report = scoreMMMUPro(
      records,
      [
        { id: 'standard/test_History_1', response: 'Answer: B' },
        { id: 'standard/test_Art_2', response: 'Answer: A' },
        { id: 'vision/test_History_1', response: 'Answer: B' },
        { id: 'vision/test_Art_2', response: 'Answer: C' },
      ],
      { mode: 'official', fallback: 'random', seed: 0 },
    );
    assert.equal(report.metrics.standard, 50);
    assert.equal(report.metrics.vision, 100);
    assert.equal(report.metrics.mean, 75);
    assert.equal(report.metrics['standard/subject/Art'], 0);
    assert.equal(report.metrics['vision/subject/History'], 100);
  });
  test('bare ids are ambiguous with both settings', () => {
    assert.throws(
      () =>
        scoreMMMUPro([std(), vision()], [{ id: 'test_History_1', response: 'B' }], {
          mode: 'official',
          fallback: 'random',
          seed: 0,
        }),
      /ambiguous/,
    );
  });
  test('bare ids work with one setting; no mean then', () => {
    const report = scoreMMMUPro([std()], [{ id: 'test_History_1', response: 'B' }], {
      mode: 'official',
      fallback: 'random',
      seed: 0,
    });
    assert.equal(report.metrics.standard, 100);
    assert.equal(report.metrics.mean, undefined);
  });
  test('fallbacks are counted and deterministic for a seed', () => {
    const records = Array.from({ length: 30 }, (_, i) => std({ id: `s${i}` }));
    const preds = records.map((r) => ({ id: r.id, response: 'no idea' }));
    const a = scoreMMMUPro(records, preds, { mode: 'official', fallback: 'random', seed: 7 });
    const b = scoreMMMUPro([...records].reverse(), [...preds].reverse(), {
      mode: 'official',
      fallback: 'random',
      seed: 7,
    });
    assert.equal(a.metrics['standard/fallbacks'], 30);
    const letters = (r: typeof a): string[] => r.samples.map((s) => `${s.id}:${String(s.parsed)}`).sort();
    assert.deepEqual(letters(a), letters(b));
    assert.ok(new Set(a.samples.map((s) => s.parsed)).size > 1);
    const wrong = scoreMMMUPro(records, preds, { mode: 'official', fallback: 'wrong', seed: 7 });
    assert.equal(wrong.metrics.standard, 0);
  });
  test('lmms-eval vision: raw response must equal the letter', () => {
    const opts = { mode: 'lmms-eval' as const, fallback: 'wrong' as const, seed: 0 };
    assert.equal(scoreMMMUPro([vision()], [{ id: 'test_History_1', response: 'Answer: B' }], opts).metrics.vision, 0);
    assert.equal(scoreMMMUPro([vision()], [{ id: 'test_History_1', response: ' B\n' }], opts).metrics.vision, 100);
    assert.equal(
      scoreMMMUPro([vision()], [{ id: 'test_History_1', response: 'Answer: B' }], { ...opts, mode: 'official' }).metrics
        .vision,
      100,
    );
  });
  test('lmms-eval standard: no fast path', () => {
    const preds = [{ id: 'test_History_1', response: '**Answer: B**' }];
    const lmms = scoreMMMUPro([std()], preds, { mode: 'lmms-eval', fallback: 'wrong', seed: 0 });
    assert.equal(lmms.metrics.standard, 0);
    assert.equal(lmms.metrics['standard/fallbacks'], 1);
    assert.equal(scoreMMMUPro([std()], preds, { mode: 'official', fallback: 'wrong', seed: 0 }).metrics.standard, 100);
  });
});

describe('MMMU-Pro loader', () => {
  async function dataset(): Promise<string> {
    const root = await tempDir();
    const img = { bytes: png(2, 2), path: null };
    const stdCols = (ids: string[]) =>
      [
        ['id', ids, S.string('id')],
        ['question', ids.map(() => 'Q <image 1>'), S.string('question')],
        ['options', ids.map(() => `['x', "it's", 'z\\n']`), S.string('options')],
        ['explanation', ids.map(() => '?'), S.string('explanation')],
        ['image_1', ids.map(() => img), S.image('image_1')],
        ['image_2', ids.map(() => null), S.image('image_2')],
        ['img_type', ids.map(() => "['Diagrams']"), S.string('img_type')],
        ['answer', ids.map(() => 'B'), S.string('answer')],
        ['topic_difficulty', ids.map(() => 'Easy'), S.string('topic_difficulty')],
        ['subject', ids.map(() => 'History'), S.string('subject')],
      ] as Parameters<typeof writeParquet>[1];
    await writeParquet(join(root, 'standard (10 options)', 'test-00000-of-00002.parquet'), stdCols(['a']));
    await writeParquet(join(root, 'standard (10 options)', 'test-00001-of-00002.parquet'), stdCols(['b']));
    await writeParquet(join(root, 'vision', 'test-00000-of-00004.parquet'), [
      ['id', ['a'], S.string('id')],
      ['image', [img], S.image('image')],
      ['options', ["['x', 'y']"], S.string('options')],
      ['answer', ['A'], S.string('answer')],
      ['subject', ['History'], S.string('subject')],
    ]);
    return root;
  }
  test('root with both configs (folder names with spaces and parentheses)', async () => {
    const records = await loadMMMUPro(await dataset(), { images: true });
    assert.deepEqual(
      records.map((r) => `${r.setting}/${r.id}`),
      ['standard/a', 'standard/b', 'vision/a'],
    );
    assert.deepEqual(records[0]!.options, ['x', "it's", 'z\n']);
    assert.deepEqual([...records[0]!.images.keys()], [1]);
    assert.equal(records[2]!.question, null);
    assert.deepEqual([...records[2]!.images.keys()], [0]);
  });
  test('one config folder, and a settings filter', async () => {
    const root = await dataset();
    assert.equal((await loadMMMUPro(join(root, 'vision'))).length, 1);
    assert.equal((await loadMMMUPro(root, { settings: ['standard'] })).length, 2);
    assert.equal(
      (await loadMMMUPro(root)).every((r) => r.images.size === 0),
      true,
    );
  });
  test('bad options literal → error naming the id', async () => {
    const root = await tempDir();
    await writeParquet(join(root, 'vision', 'test-0.parquet'), [
      ['id', ['bad_1'], S.string('id')],
      ['options', ["['x', 'y'"], S.string('options')],
      ['answer', ['A'], S.string('answer')],
    ]);
    await assert.rejects(loadMMMUPro(root), /options of bad_1 are not a Python list literal/);
  });
});

describe('composed layout (several images → one)', () => {
  test('one row up to three images, then a grid of ceil(sqrt(n)) columns', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(columnsFor), [1, 2, 3, 2, 3, 3, 3]);
  });
  test('one height (the tallest), widths from the aspect ratios, a gap between panels, rows left-aligned', () => {
    const l = layoutImages([
      { width: 40, height: 20 },
      { width: 20, height: 20 },
      { width: 30, height: 60 },
      { width: 10, height: 30 },
    ]);
    assert.deepEqual(l.panels, [
      { left: 0, top: 0, width: 120, height: 60 },
      { left: 120 + GAP, top: 0, width: 60, height: 60 },
      { left: 0, top: 60 + GAP, width: 30, height: 60 },
      { left: 30 + GAP, top: 60 + GAP, width: 20, height: 60 },
    ]);
    assert.deepEqual([l.width, l.height], [120 + GAP + 60, 120 + GAP]);
  });
  test('capped: the longest side stays within MAX_SIDE, panels keep their aspect ratio', () => {
    const seven = layoutImages(Array.from({ length: 7 }, () => ({ width: 1000, height: 800 })));
    assert.ok(seven.width <= MAX_SIDE && seven.height <= MAX_SIDE);
    assert.ok(seven.width > MAX_SIDE - 10, 'the width is the binding side');
    for (const p of seven.panels) assert.ok(Math.abs(p.width / p.height - 1.25) < 0.01);
    const wide = layoutImages([
      { width: 9000, height: 100 },
      { width: 100, height: 3000 },
    ]);
    assert.ok(wide.width <= MAX_SIDE && wide.height <= MAX_SIDE && wide.panels.every((p) => p.width >= 1));
  });
});

type Sent = { question: string; image: Buffer };

/** A stand-in for the server: records each /v1/vqa body and, like it, refuses a text naming <image> twice. */
async function fakeServer(): Promise<{ url: string; sent: Sent[]; close: () => Promise<void> }> {
  const sent: Sent[] = [];
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res
      .writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' })
      .end(JSON.stringify(body));
  };
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url === '/v1/models')
      return reply(res, 200, { object: 'list', data: [{ id: 'fake', object: 'model', created: 0, owned_by: 'test' }] });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { question: string; image: string };
    if (countBareImages(body.question) > 1) {
      return reply(res, 400, {
        type: 'urn:lavida:problem:invalid-request',
        title: 'Invalid request',
        status: 400,
        detail: 'the text names <image> twice',
      });
    }
    sent.push({ question: body.question, image: Buffer.from(body.image.replace(/^data:[^,]*,/, ''), 'base64') });
    return reply(res, 200, {
      id: 'vqa-1',
      object: 'vqa',
      created: 0,
      model: 'fake',
      reasoning: '',
      answer: null,
      text: 'Answer: A',
      finished: true,
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, nfe: 1 },
      timings: { image_decode_ms: 0, inference_ms: 0, total_ms: 0 },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent, close };
}

async function pixel(png: Buffer, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

// made at module level: a temp folder registered inside a hook would be removed when the hook ends
const MULTI_ROOT = await tempDir();

describe('MMMU-Pro multi-image items, one image per request (lavida-eval run against a recording server)', () => {
  const root = MULTI_ROOT;
  let src: Awaited<ReturnType<typeof writeMMMUProMultiImage>>;
  const sent = new Map<string, Sent>();
  let run: { total: number; completed: number; errors: number };

  before(async () => {
    src = await writeMMMUProMultiImage(root);
    const server = await fakeServer();
    const r = await cli([
      'run',
      '--benchmark',
      'mmmu-pro',
      '--data',
      root,
      '--server',
      server.url,
      '--out',
      join(root, 'out'),
    ]).finally(server.close);
    assert.equal(r.code, 0, r.stderr);
    run = JSON.parse(r.stdout).run;
    // requests go one at a time (--concurrency 1), in task order: standard 1..3, then vision
    ['standard/test_Art_1', 'standard/test_Art_2', 'standard/test_Art_3', 'vision/test_Art_1'].forEach((id, i) =>
      sent.set(id, server.sent[i]!),
    );
  });

  test('every sample is accepted (no text names <image> more than once)', () => {
    assert.deepEqual([run.total, run.completed, run.errors], [4, 4, 0]);
    for (const s of sent.values()) assert.ok(countBareImages(s.question) <= 1, s.question);
  });

  test('3 images → one PNG: panels side by side at one height, each region holds its source pixels', async () => {
    const { image, question } = sent.get('standard/test_Art_1')!;
    const meta = await sharp(image).metadata();
    assert.equal(meta.format, 'png');
    const layout = layoutImages(MULTI_IMAGES);
    // 40x20, 20x20, 30x60 at height 60: 120 + 8 + 60 + 8 + 30 wide
    assert.deepEqual([meta.width, meta.height], [layout.width, layout.height]);
    assert.deepEqual([layout.width, layout.height], [226, 60]);
    for (const [k, p] of layout.panels.entries()) {
      for (const [x, y] of [
        [p.left, p.top],
        [p.left + p.width - 1, p.top + p.height - 1],
        [p.left + (p.width >> 1), p.top + (p.height >> 1)],
      ]) {
        assert.deepEqual(await pixel(image, x!, y!), MULTI_IMAGES[k]!.rgb, `image ${k + 1} at (${x}, ${y})`);
      }
    }
    assert.deepEqual(await pixel(image, 120 + GAP / 2, 30), [255, 255, 255], 'the gap is white');
    // the text keeps the tags, so the model can tell the panels apart by their order
    assert.equal(
      question,
      `Which of <image 1>, <image 2> and <image 3> is the odd one out?\nA. <image 1>\nB. <image 2>\nC. <image 3>\n${INSTRUCTIONS.officialCotStandard}`,
    );
  });

  test('a single-image item is sent unchanged: the released bytes, the tag as a bare <image> in place', () => {
    const s = sent.get('standard/test_Art_2')!;
    assert.ok(s.image.equals(src.single));
    assert.equal(s.question, `What colour is <image>?\nA. yellow\nB. blue\n${INSTRUCTIONS.officialCotStandard}`);
  });

  test("images the text does not name: all of the row's, composed", async () => {
    const { image } = sent.get('standard/test_Art_3')!;
    assert.deepEqual(await pixel(image, 0, 0), [0, 255, 255]);
    assert.deepEqual(await pixel(image, 10 + GAP, 0), [255, 0, 255]);
  });

  test('vision: the screenshot as released', () => {
    const s = sent.get('vision/test_Art_1')!;
    assert.ok(s.image.equals(src.screenshot));
    assert.equal(s.question, INSTRUCTIONS.cotVision);
  });

  test('lmms-eval prompts: tags kept, the same images', async () => {
    const tasks = await mmmuPro.tasks(root, { prompt: 'lmms-eval' });
    const multi = tasks.find((t) => t.id === 'standard/test_Art_1')!;
    assert.equal(
      multi.kind === 'vqa' && multi.question.startsWith('Which of <image 1>, <image 2> and <image 3>'),
      true,
    );
    assert.equal(multi.image.kind, 'composed');
    const single = tasks.find((t) => t.id === 'standard/test_Art_2')!;
    assert.ok(single.image.kind === 'bytes' && Buffer.from(single.image.bytes).equals(src.single));
  });
});
