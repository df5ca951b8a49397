import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  buildExtractionPrompt,
  extractAnswer,
  inferChoiceLetter,
  officialQuickExtract,
  parseDemoPrompt,
  ruleExtract,
} from '../../eval/benchmarks/mathvista/extract.js';
import { loadMathVista } from '../../eval/benchmarks/mathvista/load.js';
import type { MathVistaRecord } from '../../eval/benchmarks/mathvista/record.js';
import { buildFormatPrompt, buildOfficialQuery, mathVistaPrompt } from '../../eval/benchmarks/mathvista/prompt.js';
import { normalizeExtraction, safeEqual, scoreMathVista } from '../../eval/benchmarks/mathvista/score.js';
import { chatText, openaiClient } from '../../eval/llm.js';
import { S, png, put, tempDir, writeParquet } from './helpers.js';

const meta = (over: Partial<MathVistaRecord['metadata']> = {}): MathVistaRecord['metadata'] => ({
  category: 'math-targeted-vqa',
  context: 'scientific figure',
  grade: 'high school',
  language: 'english',
  source: 'Geometry3K',
  split: 'testmini',
  task: 'geometry problem solving',
  skills: ['algebraic reasoning'],
  img_height: 100,
  img_width: 100,
  ...over,
});

function rec(over: Partial<MathVistaRecord>): MathVistaRecord {
  const base = {
    pid: '1',
    question: 'q?',
    imagePath: 'images/1.jpg',
    image: null,
    choices: null,
    unit: null,
    precision: null,
    answer: '1',
    questionType: 'free_form',
    answerType: 'integer',
    metadata: meta(),
    ...over,
  };
  return { ...base, query: over.query ?? buildOfficialQuery(base) };
}

const PID3_CHOICES = ['135°', '140°', '145°', '150°'];
const pid1 = rec({ pid: '1', answerType: 'float', precision: 1, answer: '1.2' });
const pid2 = rec({ pid: '2', question: 'what is the total volume of the measuring cup?', unit: 'g', answer: '1000' });
const pid3 = rec({
  pid: '3',
  question: '△ABC的两内角平分线OB、OC相交于点O，若∠A＝110°，则∠BOC＝（）',
  choices: PID3_CHOICES,
  answer: '145°',
  questionType: 'multi_choice',
  answerType: 'text',
  metadata: meta({ language: 'chinese', skills: ['geometry reasoning', 'algebraic reasoning'] }),
});
const pid225 = rec({ pid: '225', answerType: 'list', answer: '[0, 2, 0, 2, 1, 7, 1, 2, 0, 3, 0, 6]' });
const pid824 = rec({
  pid: '824',
  question: 'How much money does Luca need to buy a sour apple candy and a butterscotch candy? (Unit: $)',
  answerType: 'float',
  precision: 2,
  answer: '0.13',
});

describe('MathVista prompts', () => {
  test('format-prompt pid 2 (unit on the question line)', () =>
    assert.equal(
      buildFormatPrompt(pid2),
      'what is the total volume of the measuring cup? (Unit: g)\nAnswer the question using a single integer number.',
    ));
  test('format-prompt pid 3 (choices as "A. c")', () =>
    assert.equal(
      buildFormatPrompt(pid3),
      "△ABC的两内角平分线OB、OC相交于点O，若∠A＝110°，则∠BOC＝（）\nA. 135°\nB. 140°\nC. 145°\nD. 150°\nAnswer with the option's letter from the given choices directly.",
    ));
  test('format-prompt pid 824 (unit in the question text, precision 2)', () =>
    assert.equal(
      buildFormatPrompt(pid824),
      'How much money does Luca need to buy a sour apple candy and a butterscotch candy? (Unit: $)\nAnswer the question using a single floating-point number with two decimal places.',
    ));
  test('format-prompt float precision 1 and list hints', () => {
    assert.match(buildFormatPrompt(pid1), /one decimal place\.$/);
    assert.match(buildFormatPrompt(pid225), /\nAnswer the question using a Python list\.$/);
  });
  test('format-prompt is stripped', () =>
    assert.equal(buildFormatPrompt(rec({ question: '  q  ', answerType: 'text' })), 'q'));
  test('official query is hint first with (Unit) and Choices', () => {
    assert.equal(
      buildOfficialQuery(pid3),
      `Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.\nQuestion: ${pid3.question}\nChoices:\n(A) 135°\n(B) 140°\n(C) 145°\n(D) 150°`,
    );
    assert.equal(
      buildOfficialQuery(pid2),
      'Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.\nQuestion: what is the total volume of the measuring cup? (Unit: g)',
    );
  });
  test('query style uses the released query verbatim', () =>
    assert.equal(mathVistaPrompt(rec({ query: 'RELEASED' }), 'query'), 'RELEASED'));
});

describe('MathVista normalization (fixtures, pid 3 choices)', () => {
  const mc: Array<[string, string]> = [
    ['C', '145°'],
    ['(C) 145°', '145°'],
    ['145', '145°'],
    ['C. 145°', '145°'],
    ['(c)', '145°'],
    ['c', '135°'],
    ['', '135°'],
    [' D ', '150°'],
    ['The answer is (b) 140', '140°'],
    ['E', '135°'],
    ['150', '150°'],
  ];
  for (const [e, want] of mc) {
    test(`${JSON.stringify(e)} → ${want} (${want === '145°' ? 'right' : 'wrong'} for GT 145°)`, () => {
      const got = normalizeExtraction(e, pid3);
      assert.equal(got, want);
      assert.equal(safeEqual(got, pid3.answer), want === '145°');
    });
  }
  const ints: Array<[string, string | null]> = [
    ['1000.0', '1000'],
    [' 1000 ', '1000'],
    ['1,000', null],
    ['1000 g', null],
    ['2.7', '2'],
    ['-2.7', '-2'],
    ['1e3', '1000'],
    ['inf', null],
    ['nan', null],
    ['1_000', '1000'],
  ];
  for (const [e, want] of ints)
    test(`integer ${JSON.stringify(e)} → ${want}`, () => assert.equal(normalizeExtraction(e, pid2), want));
  const floats: Array<[string, string | null, MathVistaRecord]> = [
    ['1.24', '1.2', pid1],
    ['1.15', '1.1', pid1],
    ['1', '1.0', pid1],
    ['1.25', '1.2', pid1],
    ['0.125', '0.12', pid824],
    ['2.675', '2.67', pid824],
    ['-0.04', '-0.0', pid1],
    ['abc', null, pid1],
    ['0.13', '0.13', pid824],
    ['.13', '0.13', pid824],
  ];
  for (const [e, want, r] of floats)
    test(`float p=${r.precision} ${JSON.stringify(e)} → ${want}`, () => assert.equal(normalizeExtraction(e, r), want));
  test('float 1.15 is wrong for GT 1.2 but 1.24 is right', () => {
    assert.equal(safeEqual(normalizeExtraction('1.15', pid1), '1.2'), false);
    assert.equal(safeEqual(normalizeExtraction('1.24', pid1), '1.2'), true);
  });
  test('-0.0 does not match GT 0.0', () => assert.equal(safeEqual(normalizeExtraction('-0.04', pid1), '0.0'), false));
  test('float precision stored as 2.0 still works (official int(precision))', () =>
    assert.equal(normalizeExtraction('0.127', { ...pid824, precision: 2.0 }), '0.13'));
  test('float without precision → None', () =>
    assert.equal(normalizeExtraction('1.2', { ...pid1, precision: null }), null));
  test('lists need exact text', () => {
    assert.equal(safeEqual(normalizeExtraction('[0, 2, 0, 2, 1, 7, 1, 2, 0, 3, 0, 6]', pid225), pid225.answer), true);
    assert.equal(safeEqual(normalizeExtraction('[0,2,0,2,1,7,1,2,0,3,0,6]', pid225), pid225.answer), false);
  });
  test('None never equals (official)', () => assert.equal(safeEqual(null, 'None'), false));
  test('lmms-eval compares str(pred).strip()', () => {
    assert.equal(safeEqual(null, 'None', 'lmms-eval'), true);
    assert.equal(safeEqual('5 ', '5', 'lmms-eval'), true);
    assert.equal(safeEqual('5 ', '5'), false);
  });
  test('lmms-eval mode: every float question is None (round with float precision raises)', () => {
    assert.equal(normalizeExtraction('1.2', pid1, 'lmms-eval'), null);
    assert.equal(normalizeExtraction('1000', pid2, 'lmms-eval'), '1000');
  });
});

describe('MathVista extraction (official)', () => {
  test('empty response → ""', () =>
    assert.deepEqual(officialQuickExtract('', pid2), { extraction: '', method: 'empty' }));
  test('response equal to a choice is kept', () =>
    assert.equal(officialQuickExtract('145°', pid3)?.extraction, '145°'));
  test('integer response → str(int())', () => assert.equal(officialQuickExtract(' 0012 ', pid2)?.extraction, '12'));
  test('"12.0" is not an int → goes to the LLM', () => assert.equal(officialQuickExtract('12.0', pid2), null));
  test('float response → str(float())', () => assert.equal(officialQuickExtract('5', pid1)?.extraction, '5.0'));
  test('quick_extract regex only when enabled', () => {
    const r = 'The answer is "42".';
    assert.equal(officialQuickExtract(r, pid2), null);
    assert.equal(officialQuickExtract(r, pid2, true)?.extraction, '42');
  });
  test('quick_extract does not cross newlines', () =>
    assert.equal(officialQuickExtract('The answer is "4\n2".', pid2, true), null));
  test('no judge: free-form → "" → None → wrong (pid 22 style)', async () => {
    const e = await extractAnswer("Sorry, I can't help with images of people yet.", pid2, { extractor: 'official' });
    assert.deepEqual(e, { extraction: '', method: 'no-judge' });
    assert.equal(normalizeExtraction(e.extraction, pid2), null);
  });
  test('no judge: multi-choice falls to the shortest (first) choice', async () => {
    const r = rec({ questionType: 'multi_choice', answerType: 'text', choices: ['Yes', 'No'], answer: 'No' });
    const e = await extractAnswer('The correct answer is (B), No.', r, { extractor: 'official' });
    assert.equal(normalizeExtraction(e.extraction, r), 'No'); // shortest is "No"
  });
  test('LLM answer "B" for pid 8 → prediction No → wrong for GT Yes', async () => {
    const r = rec({
      pid: '8',
      questionType: 'multi_choice',
      answerType: 'text',
      choices: ['Yes', 'No'],
      answer: 'Yes',
    });
    const prompts: string[] = [];
    const e = await extractAnswer('The correct answer is (B), No.', r, {
      extractor: 'official',
      llm: async (p) => {
        prompts.push(p);
        return ' B\n';
      },
    });
    assert.deepEqual(e, { extraction: 'B', method: 'llm' });
    assert.equal(normalizeExtraction(e.extraction, r), 'No');
    assert.equal(prompts.length, 1);
    assert.ok(prompts[0]!.endsWith(`${r.query}\n\nThe correct answer is (B), No.\n\nExtracted answer: `));
  });
  test('LLM failure → "" (any exception)', async () => {
    const e = await extractAnswer('blah', pid2, {
      extractor: 'official',
      llm: async () => {
        throw new Error('down');
      },
    });
    assert.deepEqual(e, { extraction: '', method: 'llm-failed' });
  });
  test('extraction prompt layout', () =>
    assert.equal(buildExtractionPrompt('\n  DEMO\n', 'Q', 'R'), 'DEMO\n\nQ\n\nR\n\nExtracted answer: '));
  test('demo prompt read from ext_ans.py', () =>
    assert.equal(
      parseDemoPrompt('# x\ndemo_prompt = """\nPlease read.\n\nHint: a\\tb\n"""\nother = 1\n'),
      '\nPlease read.\n\nHint: a\tb\n',
    ));
  test('demo prompt from a plain text file is used whole', () =>
    assert.equal(parseDemoPrompt('just text'), 'just text'));
});

describe('MathVista rule-based extraction (non-official)', () => {
  test('<answer> tag content', () =>
    assert.equal(ruleExtract('<think>x</think><answer> 1000 </answer>', pid2).extraction, '1000'));
  test('last number in a sentence', () =>
    assert.equal(ruleExtract('First 3, so total is 1,000 grams', pid2).extraction, '1000'));
  test('float last number', () => assert.equal(ruleExtract('it is 1.24 units', pid1).extraction, '1.24'));
  test('list', () => assert.equal(ruleExtract('so [1, 2] then [2007, 2008]', pid225).extraction, '[2007, 2008]'));
  test('MC letter near the end', () => assert.equal(inferChoiceLetter('Thus the answer: C.', PID3_CHOICES), 'C'));
  test('MC "answer is d"', () =>
    assert.equal(
      inferChoiceLetter('I believe that the answer is d because of many many many reasons here', PID3_CHOICES),
      'D',
    ));
  test('MC by unique choice text', () => assert.equal(inferChoiceLetter('it is 150°', PID3_CHOICES), 'D'));
  test('MC two letters → no letter', () => assert.equal(inferChoiceLetter('A or B', PID3_CHOICES), null));
  test('rules MC end to end', async () => {
    const e = await extractAnswer('<answer>C</answer>', pid3, { extractor: 'rules' });
    assert.equal(normalizeExtraction(e.extraction, pid3), '145°');
  });
});

describe('MathVista scoring', () => {
  test('accuracy, breakdowns and multi-label skills', async () => {
    const report = await scoreMathVista(
      [pid1, pid2, pid3],
      [
        { id: '1', response: '1.24' },
        { id: '2', response: '999' },
        { id: '3', response: '145°' },
      ],
      { mode: 'official', extractor: 'official' },
    );
    assert.equal(report.n, 3);
    assert.equal(report.metrics.accuracy, (2 / 3) * 100);
    assert.equal(report.metrics['question_type/multi_choice'], 100);
    assert.equal(report.metrics['answer_type/integer'], 0);
    assert.equal(report.metrics['skills/algebraic reasoning'], (2 / 3) * 100);
    assert.equal(report.metrics['skills/geometry reasoning'], 100);
    assert.equal(report.metrics['language/chinese'], 100);
    assert.equal(report.settings.extractor, 'official-no-judge');
    assert.deepEqual(
      report.samples.map((s) => s.correct),
      [true, false, true],
    );
  });
  test('missing predictions are counted, not scored', async () => {
    const report = await scoreMathVista([pid1, pid2], [{ id: '2', response: '1000' }], {
      mode: 'official',
      extractor: 'official',
    });
    assert.equal(report.n, 1);
    assert.equal(report.missing, 1);
    assert.equal(report.metrics.accuracy, 100);
  });
  test('responses are stripped before extraction (lmms-eval)', async () => {
    const report = await scoreMathVista([pid3], [{ id: '3', response: '  145°\n' }], {
      mode: 'official',
      extractor: 'official',
    });
    assert.equal(report.samples[0]!.method, 'choice');
  });
  test('lmms-eval mode scores a correct float answer wrong', async () => {
    const preds = [{ id: '1', response: '1.2' }];
    assert.equal(
      (await scoreMathVista([pid1], preds, { mode: 'official', extractor: 'official' })).metrics.accuracy,
      100,
    );
    assert.equal(
      (await scoreMathVista([pid1], preds, { mode: 'lmms-eval', extractor: 'official' })).metrics.accuracy,
      0,
    );
  });
  test('unknown prediction id is an error', async () => {
    await assert.rejects(
      scoreMathVista([pid1], [{ id: '77', response: '' }], { mode: 'official', extractor: 'official' }),
      /matches no record/,
    );
  });
});

describe('MathVista LLM extraction over HTTP', () => {
  test('OpenAI-compatible endpoint on 127.0.0.1, retries after a 500', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    let calls = 0;
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.writeHead(500).end();
          return;
        }
        bodies.push({ ...JSON.parse(data), auth: req.headers.authorization, url: req.url });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: '1000' } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      process.env.LAVIDA_TEST_JUDGE_KEY = 'k';
      const client = openaiClient(
        { url: `http://127.0.0.1:${port}/v1/`, apiKeyEnv: 'LAVIDA_TEST_JUDGE_KEY' },
        { timeoutMs: 10_000 },
      );
      const llm = (p: string) =>
        chatText(client, { model: 'judge', temperature: 0, max_tokens: 256, messages: [{ role: 'user', content: p }] });
      const report = await scoreMathVista([pid2], [{ id: '2', response: 'It holds one thousand grams.' }], {
        mode: 'official',
        extractor: 'official',
        llm,
        demoPrompt: 'DEMO',
      });
      assert.equal(report.metrics.accuracy, 100);
      assert.equal(calls, 2);
      assert.equal(bodies[0]!.url, '/v1/chat/completions');
      assert.equal(bodies[0]!.auth, 'Bearer k');
      assert.equal(bodies[0]!.model, 'judge');
      assert.equal(bodies[0]!.temperature, 0);
      assert.equal(bodies[0]!.max_tokens, 256);
      const msg = (bodies[0]!.messages as Array<{ content: string }>)[0]!.content;
      assert.ok(msg.startsWith('DEMO\n\nHint: '));
    } finally {
      server.close();
    }
  });
  test('unreachable endpoint rejects after the retries', async () => {
    const client = openaiClient({ url: 'http://127.0.0.1:9' }, { timeoutMs: 2000, maxRetries: 1 });
    await assert.rejects(
      chatText(client, { model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      /Connection error/,
    );
  });
});

describe('MathVista loaders', () => {
  test('HF parquet: image struct, choices list, float64 precision, metadata struct with int64', async () => {
    const dir = await tempDir();
    const img = png(3, 2);
    await writeParquet(join(dir, 'data', 'testmini-00000-of-00001-725687bf7a18d64b.parquet'), [
      ['pid', ['1', '3'], S.string('pid')],
      ['question', ['q1', 'q3'], S.string('question')],
      ['image', ['images/1.jpg', 'images/3.jpg'], S.string('image')],
      [
        'decoded_image',
        [
          { bytes: img, path: null },
          { bytes: img, path: '3.jpg' },
        ],
        S.image('decoded_image'),
      ],
      ['choices', [null, PID3_CHOICES], S.stringList('choices')],
      ['unit', [null, null], S.string('unit')],
      ['precision', [1.0, null], S.double('precision')],
      ['answer', ['1.2', '145°'], S.string('answer')],
      ['question_type', ['free_form', 'multi_choice'], S.string('question_type')],
      ['answer_type', ['float', 'text'], S.string('answer_type')],
      [
        'metadata',
        [
          { category: 'c', skills: ['s1', 's2'], img_height: 2n, img_width: 3n, language: 'english' },
          { category: 'd', skills: [], img_height: 2n, img_width: 3n, language: 'chinese' },
        ],
        S.struct('metadata', [
          [S.string('category')],
          S.stringList('skills'),
          [S.int64('img_height')],
          [S.int64('img_width')],
          [S.string('language')],
        ]),
      ],
      ['query', ['Q1', 'Q3'], S.string('query')],
    ]);
    const records = await loadMathVista(dir, { images: true });
    assert.equal(records.length, 2);
    const [a, b] = records as [MathVistaRecord, MathVistaRecord];
    assert.equal(a.precision, 1);
    assert.equal(a.choices, null);
    assert.deepEqual(b.choices, PID3_CHOICES);
    assert.deepEqual(a.metadata.skills, ['s1', 's2']);
    assert.equal(a.metadata.img_width, 3);
    assert.equal(a.query, 'Q1');
    assert.equal(a.image?.kind, 'bytes');
    assert.deepEqual(a.image?.kind === 'bytes' ? [...a.image.bytes] : [], [...img]);
    const scoring = await loadMathVista(dir);
    assert.equal(scoring[0]!.image, null);
  });
  test('GitHub layout: data/testmini.json + query.json, images at the repo root', async () => {
    const dir = await tempDir();
    await put(join(dir, 'images', '2.jpg'), png(1, 1));
    await put(
      join(dir, 'data', 'testmini.json'),
      JSON.stringify({
        '2': {
          question: pid2.question,
          image: 'images/2.jpg',
          choices: null,
          unit: 'g',
          precision: null,
          answer: '1000',
          question_type: 'free_form',
          answer_type: 'integer',
          pid: '2',
          metadata: { language: 'english', skills: ['arithmetic reasoning'] },
        },
        '1': {
          question: 'q',
          image: 'images/1.jpg',
          choices: null,
          unit: null,
          precision: 1,
          answer: '1.2',
          question_type: 'free_form',
          answer_type: 'float',
          pid: '1',
          metadata: {},
        },
      }),
    );
    await put(join(dir, 'data', 'query.json'), JSON.stringify({ '1': 'OFFICIAL Q1' }));
    const records = await loadMathVista(dir, { images: true });
    const two = records.find((r) => r.pid === '2')!;
    assert.equal(two.query, buildOfficialQuery(pid2)); // rebuilt: no query.json entry
    assert.equal(records.find((r) => r.pid === '1')!.query, 'OFFICIAL Q1');
    assert.deepEqual(two.image, { kind: 'file', path: join(dir, 'images', '2.jpg') });
  });
  test('missing folder and empty folder give clear errors', async () => {
    const dir = await tempDir();
    await assert.rejects(loadMathVista(join(dir, 'nope')), /MathVista data not found/);
    await assert.rejects(
      loadMathVista(dir),
      /expected MathVista's testmini-\*\.parquet or testmini\.json here; got an empty folder/,
    );
  });
});
