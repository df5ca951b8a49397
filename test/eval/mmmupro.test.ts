import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadMMMUPro, type MMMUProRecord } from '../../eval/benchmarks/mmmupro/load.js';
import { parseMultiChoice, type ParseOptions } from '../../eval/benchmarks/mmmupro/parse.js';
import { INSTRUCTIONS, mmmuProPrompt } from '../../eval/benchmarks/mmmupro/prompt.js';
import { scoreMMMUPro } from '../../eval/benchmarks/mmmupro/score.js';
import { keyedRng } from '../../eval/rng.js';
import { S, png, tempDir, writeParquet } from './helpers.js';

// Ten options in the spirit of test_History_1 (GT B); B and C hold the texts the fixtures rely on.
const OPTS = [
  'Expansion of maritime empires', 'The spread of pathogens across the Silk Road', 'Development of new trade routes',
  'Growth of urban centers', 'Rise of nomadic confederations', 'Decline of feudal obligations', 'Spread of printing',
  'Climate shifts in Eurasia', 'Religious reform movements', 'Population decline after famines',
];
const NO_RANDOM: ParseOptions = { fastPath: true, fallback: 'wrong', rng: () => 0 };
const parse = (r: string, o: Partial<ParseOptions> = {}): { letter: string; fallback: boolean } => parseMultiChoice(r, OPTS, { ...NO_RANDOM, ...o });

describe('MMMU-Pro parser (fixtures)', () => {
  const cases: Array<[string, string]> = [
    ['Answer: C', 'C'], ['The answer is (B).', 'B'], ['B', 'B'], ["I think it's A or B", 'B'],
    ['The spread of pathogens across the Silk Road is the best explanation here.', 'B'],
    ['Answer: (C) Development of new trade routes', 'C'], ['DNA evidence suggests option', 'A'], ['Answer: $B', 'B'], ['**Answer: J**', 'J'],
  ];
  for (const [r, want] of cases) test(`${JSON.stringify(r)} → ${want}`, () => assert.deepEqual(parse(r), { letter: want, fallback: false }));
  test('"b" → random fallback', () => {
    assert.deepEqual(parse('b'), { letter: '', fallback: true });
    const r = parse('b', { fallback: 'random', rng: () => 0.95 });
    assert.deepEqual(r, { letter: 'J', fallback: true });
  });
});

describe('MMMU-Pro parser (edge cases from the rules)', () => {
  test('rfind takes the last Answer:', () => assert.equal(parse('Answer: A\nAnswer: D').letter, 'D'));
  test('fast path tail is stripped', () => assert.equal(parse('Reasoning... Answer:  E  ').letter, 'E'));
  test('lowercase "answer:" skips the fast path; "C " still matches', () => assert.equal(parse('answer: C').letter, 'C'));
  test('several brackets: the last (X) wins', () => assert.equal(parse('(A) is wrong, (D) is right').letter, 'D'));
  test('bracket rfind decides, not letter order', () => assert.equal(parse('(D) is right, not (A)').letter, 'A'));
  test('trailing period stripped', () => assert.equal(parse('C.').letter, 'C'));
  test('surrounding quotes stripped', () => assert.equal(parse("'C'").letter, 'C'));
  test('"X." rule when no "X " exists', () => assert.equal(parse('xE.y').letter, 'E'));
  test('fast path with two letters falls through to "B " (from "AB ")', () => assert.equal(parse('Answer: AB').letter, 'B'));
  test('fast path ignores letters beyond the options', () => assert.equal(parseMultiChoice('Answer: E', ['x', 'y', 'z', 'w'], NO_RANDOM).fallback, true));
  test('option count decides the letters (3 options)', () => assert.equal(parseMultiChoice('Answer: C', ['x', 'y', 'z'], NO_RANDOM).letter, 'C'));
  test('content match needs more than 5 words', () => assert.equal(parse('Development of new trade routes').fallback, true));
  test('content match with 6+ words', () => assert.equal(parse('so it is development of new trade routes').letter, 'C'));
  test('several content matches: the last occurrence wins', () =>
    assert.equal(parse('spread of printing first, later growth of urban centers happened').letter, 'D'));
  test('"{c} " matches inside words ("I " in a sentence start)', () => assert.equal(parse('I guess so').letter, 'I'));
  test('no fast path in lmms-eval mode', () => assert.equal(parse('**Answer: J**', { fastPath: false }).fallback, true));
  test('lmms-eval: "Answer: C" still parses via "C "', () => assert.equal(parse('Answer: C', { fastPath: false }).letter, 'C'));
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
    setting: 'standard', id: 'test_History_1', question: 'Which of the following best explains the overall trend shown in the <image 1>?',
    options: OPTS, answer: 'B', subject: 'History', images: new Map(), ...over,
  };
}

describe('MMMU-Pro prompts', () => {
  test('official standard: question, A. lines, instruction; <image N> → <image>, order of appearance with duplicates', () => {
    const r = std({ question: 'See <image 2> and <image 1>, then <image  2>.', options: ['<image 3>', 'b'] });
    const p = mmmuProPrompt(r, 'official', true);
    assert.equal(p.text, `See <image> and <image>, then <image>.\nA. <image>\nB. b\n${INSTRUCTIONS.officialCotStandard}`);
    assert.deepEqual(p.imageRefs, [2, 1, 2, 3]);
  });
  test('lmms-eval standard: blank line before the post prompt, tags kept, sorted unique images', () => {
    const r = std({ question: 'See <image 2> and <image 1>, then <image 2>.', options: ['<image 3>', 'b'] });
    const p = mmmuProPrompt(r, 'lmms-eval', false);
    assert.equal(p.text, 'See <image 2> and <image 1>, then <image 2>.\nA. <image 3>\nB. b\n\nAnswer with the option letter from the given choices directly.');
    assert.deepEqual(p.imageRefs, [1, 2, 3]);
  });
  test('vision prompts are instruction-only with the screenshot', () => {
    const v = std({ setting: 'vision', question: null });
    assert.deepEqual(mmmuProPrompt(v, 'official', true), { text: INSTRUCTIONS.cotVision, imageRefs: [0] });
    assert.match(mmmuProPrompt(v, 'official', false).text, /^Answer with the option letter from the given choices directly\. The last line/);
  });
  test('cot wording: official "preceding", lmms-eval "following"', () => {
    assert.match(mmmuProPrompt(std(), 'official', true).text, /Answer the preceding multiple choice question\./);
    assert.match(mmmuProPrompt(std(), 'lmms-eval', true).text, /Answer the following multiple choice question\./);
  });
});

describe('MMMU-Pro scoring', () => {
  const vision = (over: Partial<MMMUProRecord> = {}): MMMUProRecord => std({ setting: 'vision', question: null, ...over });
  test('standard, vision and their mean; ids prefixed when both settings are loaded', () => {
    const records = [std(), std({ id: 'test_Art_2', answer: 'C', subject: 'Art' }), vision(), vision({ id: 'test_Art_2', answer: 'C', subject: 'Art' })];
    const report = scoreMMMUPro(records, [
      { id: 'standard/test_History_1', response: 'Answer: B' },
      { id: 'standard/test_Art_2', response: 'Answer: A' },
      { id: 'vision/test_History_1', response: 'Answer: B' },
      { id: 'vision/test_Art_2', response: 'Answer: C' },
    ], { mode: 'official', fallback: 'random', seed: 0 });
    assert.equal(report.metrics.standard, 50);
    assert.equal(report.metrics.vision, 100);
    assert.equal(report.metrics.mean, 75);
    assert.equal(report.metrics['standard/subject/Art'], 0);
    assert.equal(report.metrics['vision/subject/History'], 100);
  });
  test('bare ids are ambiguous with both settings', () => {
    assert.throws(() => scoreMMMUPro([std(), vision()], [{ id: 'test_History_1', response: 'B' }], { mode: 'official', fallback: 'random', seed: 0 }), /ambiguous/);
  });
  test('bare ids work with one setting; no mean then', () => {
    const report = scoreMMMUPro([std()], [{ id: 'test_History_1', response: 'B' }], { mode: 'official', fallback: 'random', seed: 0 });
    assert.equal(report.metrics.standard, 100);
    assert.equal(report.metrics.mean, undefined);
  });
  test('fallbacks are counted and deterministic for a seed', () => {
    const records = Array.from({ length: 30 }, (_, i) => std({ id: `s${i}` }));
    const preds = records.map((r) => ({ id: r.id, response: 'no idea' }));
    const a = scoreMMMUPro(records, preds, { mode: 'official', fallback: 'random', seed: 7 });
    const b = scoreMMMUPro([...records].reverse(), [...preds].reverse(), { mode: 'official', fallback: 'random', seed: 7 });
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
    assert.equal(scoreMMMUPro([vision()], [{ id: 'test_History_1', response: 'Answer: B' }], { ...opts, mode: 'official' }).metrics.vision, 100);
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
    const stdCols = (ids: string[]) => [
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
    assert.deepEqual(records.map((r) => `${r.setting}/${r.id}`), ['standard/a', 'standard/b', 'vision/a']);
    assert.deepEqual(records[0]!.options, ['x', "it's", 'z\n']);
    assert.deepEqual([...records[0]!.images.keys()], [1]);
    assert.equal(records[2]!.question, null);
    assert.deepEqual([...records[2]!.images.keys()], [0]);
  });
  test('one config folder, and a settings filter', async () => {
    const root = await dataset();
    assert.equal((await loadMMMUPro(join(root, 'vision'))).length, 1);
    assert.equal((await loadMMMUPro(root, { settings: ['standard'] })).length, 2);
    assert.equal((await loadMMMUPro(root)).every((r) => r.images.size === 0), true);
  });
  test('bad options literal → error naming the id', async () => {
    const root = await tempDir();
    await writeParquet(join(root, 'vision', 'test-0.parquet'), [
      ['id', ['bad_1'], S.string('id')], ['options', ["['x', 'y'"], S.string('options')], ['answer', ['A'], S.string('answer')],
    ]);
    await assert.rejects(loadMMMUPro(root), /options of bad_1 are not a Python list literal/);
  });
});
