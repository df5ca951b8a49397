import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { editedImagePath, judgeMessage, judgePromptText } from '../../eval/benchmarks/imgedit/judge.js';
import { loadImgEdit, loadJudgePrompts, type ImgEditRecord } from '../../eval/benchmarks/imgedit/load.js';
import { isUnparseable, scoreImgEdit, step1Average, step1Scores } from '../../eval/benchmarks/imgedit/score.js';
import { parseObjectEntries } from '../../eval/jsonorder.js';
import { png, put, tempDir } from './helpers.js';

describe('ImgEdit step 1 (fixtures)', () => {
  const cases: Array<[string, number | null]> = [
    ['Brief reasoning: ok.\nPrompt Compliance: 4\nVisual Naturalness: 3\nPhysical & Detail Integrity: 3', 3.33],
    ['Brief reasoning: none: at all\nPrompt Compliance: 1\nVisual Seamlessness: 1\nPhysical & Detail Fidelity: 1', 1.0],
    ['**Prompt Compliance:** 4\n**Visual Naturalness:** 3\n**Physical & Detail Integrity:** 3', null],
    ['Prompt Compliance: 4/5\nVisual Naturalness: 5\nPhysical & Detail Integrity: 5', 5.0],
    ['Brief reasoning: 5\nStyle Fidelity: 4\nContent Preservation: 5\nRendering Quality: 4', 4.5],
    [
      'Brief reasoning: No texture change applied; shell looks the same.\nPrompt Compliance: 1\nVisual Seamlessness: 1\nPhysical & Detail Fidelity: 1',
      1,
    ],
    ['Brief reasoning: partly done.\nPrompt Compliance: 1\nVisual Seamlessness: 4\nPhysical & Detail Fidelity: 4', 3.0],
  ];
  for (const [text, want] of cases)
    test(`${JSON.stringify(text.slice(0, 40))}… → ${want}`, () => assert.equal(step1Average(text), want));
});

describe('ImgEdit step 1 (edge cases from the rules)', () => {
  const cases: Array<[string, number | null, string]> = [
    ['Prompt Compliance:  4', null, 'double space: " 4" is not a digit string'],
    ['  Prompt Compliance: 4  ', 4, 'the line is stripped first'],
    ['Prompt Compliance: 4.5', null, 'decimals are not digits'],
    ['Prompt Compliance: -1', null, 'a sign is not a digit'],
    ['Prompt Compliance: 10', 10, 'any integer counts, no 1–5 clamp'],
    ['Prompt Compliance: 04', 4, 'leading zeros'],
    ['Prompt Compliance: ٤', 4, 'Unicode digits count'],
    ['A: 1\r\nB: 2\r\nC: 2', 1.67, 'CRLF lines'],
    ['A: 1\rB: 2', 1.5, 'bare CR is a line break in Python'],
    ['A: 1 B: 2', null, 'two ": " in one line → 3 parts'],
    ['A:1', null, 'no space after the colon'],
    ['', null, 'empty reply'],
    ['A: 2\nB: 3\nC: 3\nD: 3', 2.75, 'all matching lines count'],
    ['A: 1\nB: 1\nC: 2', 1.33, 'round(4/3, 2)'],
    ['A: 2\nB: 2\nC: 1', 1.67, 'round(5/3, 2)'],
    [': 5', 5, 'empty label still splits into two parts'],
    ['A: 5\n\n\nB: 4', 4.5, 'blank lines ignored'],
  ];
  for (const [text, want, why] of cases) test(why, () => assert.equal(step1Average(text), want));
  test('the scores of each counted line, in order', () =>
    assert.deepEqual(step1Scores('Brief reasoning: 5\nA: 4\nB: 3/5\nC: 2'), [5, 4, 2]));
  test('unparseable: a reply without a score line; a failed call is not a reply', () =>
    assert.deepEqual(['**A:** 4', 'A: 4', { error: 'x' }].map(isUnparseable), [true, false, false]));
  test('a {"error": …} value is dropped', () => assert.equal(step1Average({ error: 'timeout' }), null));
  test('a non-string value is dropped', () => assert.equal(step1Average(5), null));
});

const rec = (key: string, editType: string): ImgEditRecord => ({
  key,
  id: `x/${key}.jpg`,
  imagePath: `/x/${key}.jpg`,
  prompt: 'p',
  editType,
});
const reply = (a: number, b: number, c: number): string => `Brief reasoning: fine.\nL1: ${a}\nL2: ${b}\nL3: ${c}`;

describe('ImgEdit step 2 and overall', () => {
  test('type score = round(mean, 2) over surviving samples; overall = mean of type scores; sample mean', () => {
    const records = [rec('1', 'add'), rec('2', 'add'), rec('3', 'add'), rec('4', 'style'), rec('5', 'style')];
    const report = scoreImgEdit(records, [
      ['1', reply(5, 5, 5)],
      ['2', reply(4, 4, 3)],
      ['3', '**bad**'],
      ['4', reply(2, 2, 2)],
      ['5', { error: 'x' }],
    ]);
    assert.equal(report.metrics.add, 4.33); // (5 + 3.67) / 2 is 4.33499… in binary, Python's round gives 4.33
    assert.equal(report.metrics.style, 2);
    assert.equal(report.metrics.overall, (4.33 + 2) / 2);
    assert.equal(report.metrics.sample_mean, (5 + 3.67 + 2) / 3);
    assert.equal(report.metrics.dropped, 2);
    assert.equal(report.metrics.unparseable, 1, 'the reply without a score line; the failed call is not a reply');
    assert.equal(report.n, 5);
    assert.deepEqual(
      report.samples.map((s) => s.avg),
      [5, 3.67, null, 2, null],
    );
    assert.deepEqual(
      report.samples.map((s) => s.scores),
      [[5, 5, 5], [4, 4, 3], [], [2, 2, 2], []],
    );
  });
  test('overall differs from the sample mean when types are unbalanced', () => {
    const records = [rec('1', 'add'), rec('2', 'add'), rec('3', 'add'), rec('4', 'remove')];
    const report = scoreImgEdit(records, [
      ['1', reply(4, 4, 4)],
      ['2', reply(4, 4, 4)],
      ['3', reply(4, 4, 4)],
      ['4', reply(1, 1, 1)],
    ]);
    assert.equal(report.metrics.overall, 2.5);
    assert.equal(report.metrics.sample_mean, 3.25);
  });
  test('nine types, missing records counted', () => {
    const types = ['add', 'adjust', 'extract', 'replace', 'remove', 'background', 'style', 'compose', 'action'];
    const records = [...types.map((t, i) => rec(String(i), t)), rec('99', 'add')];
    const report = scoreImgEdit(
      records,
      types.map((_, i) => [String(i), reply((i % 5) + 1, (i % 5) + 1, (i % 5) + 1)] as [string, unknown]),
    );
    assert.deepEqual(
      types.map((t) => report.metrics[t]),
      types.map((_, i) => (i % 5) + 1),
    );
    assert.equal(report.metrics.overall, types.reduce((s, _, i) => s + ((i % 5) + 1), 0) / 9);
    assert.equal(report.missing, 1);
  });
  test('unknown key is an error', () =>
    assert.throws(() => scoreImgEdit([rec('1', 'add')], [['2', 'x: 1']]), /matches no record/));
  test('a type with no surviving sample is absent', () => {
    const report = scoreImgEdit(
      [rec('1', 'add'), rec('2', 'style')],
      [
        ['1', reply(3, 3, 3)],
        ['2', 'nothing'],
      ],
    );
    assert.equal(report.metrics.style, undefined);
    assert.equal(report.metrics.overall, 3);
  });
  test('nothing scored → null overall', () =>
    assert.equal(scoreImgEdit([rec('1', 'add')], [['1', 'x']]).metrics.overall, null));
});

describe('ordered JSON entries (Python dict order)', () => {
  test('integer-like keys keep file order', () =>
    assert.deepEqual(
      parseObjectEntries('{"1172": 1, "22": {"a": [1, "}"]}, "5": "x"}', 'f').map(([k]) => k),
      ['1172', '22', '5'],
    ));
  test('values are parsed', () =>
    assert.deepEqual(parseObjectEntries('{"a": {"b": "c\\"}"}}', 'f'), [['a', { b: 'c"}' }]]));
  test('malformed JSON → error naming the file', () =>
    assert.throws(() => parseObjectEntries('{"a": }', 'res.json'), /res\.json/));
  test('non-object → error', () => assert.throws(() => parseObjectEntries('[1]', 'f'), /object/));
});

const PROMPTS = {
  add: '\nYou are a data rater specializing in grading image addition edits.\neditin instruction is : <edit_prompt>. Again: <edit_prompt>\n',
  adjust: 'ADJUST <edit_prompt>',
};

async function benchmark(): Promise<string> {
  const root = await tempDir();
  const st = join(root, 'Benchmark', 'singleturn');
  // written by hand: JSON.stringify would reorder the integer-like keys
  const entries: Array<[string, object]> = [
    [
      '1082',
      {
        id: 'animal/000342021.jpg',
        prompt: "Change the tortoise's shell texture to a smooth surface.",
        edit_type: 'adjust',
      },
    ],
    [
      '97',
      {
        id: 'for_add/000236569.jpg',
        prompt: 'Add an elegant chandelier in the center of the ceiling.',
        edit_type: 'add',
      },
    ],
    ['22', { id: 'daily object/000001.jpg', prompt: 'Make it red.', edit_type: 'mystery' }],
  ];
  await put(
    join(st, 'singleturn.json'),
    `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`,
  );
  await put(join(st, 'judge_prompt.json'), JSON.stringify(PROMPTS));
  for (const p of ['animal/000342021.jpg', 'for_add/000236569.jpg', 'daily object/000001.jpg'])
    await put(join(st, p), png(2, 2));
  return root;
}

describe('ImgEdit loader and judge', () => {
  test('singleturn.json in file order, category folders incl. "daily object"', async () => {
    const root = await benchmark();
    const data = await loadImgEdit(root);
    assert.deepEqual(
      data.records.map((r) => r.key),
      ['1082', '97', '22'],
    );
    assert.equal(data.records[2]!.imagePath, join(root, 'Benchmark', 'singleturn', 'daily object', '000001.jpg'));
    assert.equal(data.promptFile, join(root, 'Benchmark', 'singleturn', 'judge_prompt.json'));
  });
  test('prompt text: every <edit_prompt> replaced; unknown type uses adjust', async () => {
    const root = await benchmark();
    const { records, promptFile } = await loadImgEdit(root);
    const prompts = await loadJudgePrompts(promptFile!);
    assert.equal(judgePromptText(prompts, records[1]!), PROMPTS.add.replaceAll('<edit_prompt>', records[1]!.prompt));
    assert.equal(judgePromptText(prompts, records[2]!), 'ADJUST Make it red.');
  });
  test('no prompt for a type and no adjust → error', () =>
    assert.throws(() => judgePromptText(new Map(), rec('1', 'add')), /no judge prompt/));
  test('edited images are <key>.png', () => assert.equal(editedImagePath('/out', '1082'), join('/out', '1082.png')));
  test('judge message: text, original, edited (both image/png data URLs)', () => {
    const m = judgeMessage('T', new Uint8Array([0xff, 0xd8]), new Uint8Array([1]));
    assert.ok(Array.isArray(m.content));
    const parts = m.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    assert.deepEqual(
      parts.map((p) => p.type),
      ['text', 'image_url', 'image_url'],
    );
    assert.equal(parts[1]!.image_url!.url, 'data:image/png;base64,/9g=');
    assert.equal(parts[2]!.image_url!.url, 'data:image/png;base64,AQ==');
  });
  test('missing benchmark file → clear error', async () =>
    assert.rejects(loadImgEdit(await tempDir()), /expected ImgEdit's singleturn\.json here; got an empty folder/));
});
