import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parsePredictions } from '../../eval/predictions.js';
import { S, cli, jsonl, png, put, tempDir, writeParquet } from './helpers.js';

describe('predictions.jsonl parsing', () => {
  test('ids may be numbers; error lines become empty responses; boxes kept', () => {
    const preds = parsePredictions(
      '{"id": 3, "response": "x"}\n\n{"id": "a", "error": "timeout"}\n{"id": "b", "response": "", "box": [1,2,3,4]}\n',
      'p',
    );
    assert.deepEqual(preds, [
      { id: '3', response: 'x' },
      { id: 'a', response: '', error: 'timeout' },
      { id: 'b', response: '', box: [1, 2, 3, 4] },
    ]);
  });
  test('malformed line reports its line number', () =>
    assert.throws(() => parsePredictions('{"id":1,"response":""}\n{oops\n', 'p.jsonl'), /p\.jsonl:2: malformed JSON/));
  test('missing id', () =>
    assert.throws(() => parsePredictions('{"response": ""}', 'p'), /p:1: missing or invalid "id"/));
  test('missing response', () => assert.throws(() => parsePredictions('{"id": 1}', 'p'), /p:1: missing "response"/));
  test('duplicate id', () =>
    assert.throws(
      () => parsePredictions('{"id":1,"response":""}\n{"id":"1","response":""}', 'p'),
      /p:2: duplicate id "1" \(first on line 1\)/,
    ));
  test('non-object line', () => assert.throws(() => parsePredictions('[1]', 'p'), /expected a JSON object/));
});

describe('lavida-eval score (spawned)', () => {
  test('MathVista parquet → JSON summary on stdout and OUT/scores.jsonl written atomically', async () => {
    const dir = await tempDir();
    await writeParquet(join(dir, 'data', 'testmini-00000-of-00001.parquet'), [
      ['pid', ['1', '2'], S.string('pid')],
      ['question', ['a', 'b'], S.string('question')],
      [
        'decoded_image',
        [
          { bytes: png(1, 1), path: null },
          { bytes: png(1, 1), path: null },
        ],
        S.image('decoded_image'),
      ],
      ['choices', [['x', 'yy'], null], S.stringList('choices')],
      ['precision', [null, null], S.double('precision')],
      ['answer', ['yy', '7'], S.string('answer')],
      ['question_type', ['multi_choice', 'free_form'], S.string('question_type')],
      ['answer_type', ['text', 'integer'], S.string('answer_type')],
    ]);
    const preds = await put(
      join(dir, 'predictions.jsonl'),
      jsonl([
        { id: '1', response: 'yy' },
        { id: 2, response: '8' },
      ]),
    );
    const out = join(dir, 'out');
    const r = await cli(['score', '--benchmark', 'mathvista', '--data', dir, '--predictions', preds, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.benchmark, 'mathvista');
    assert.equal(summary.n, 2);
    assert.equal(summary.metrics.accuracy, 50);
    const lines = (await readFile(join(out, 'scores.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.id, l.prediction, l.correct]),
      [
        ['1', 'yy', true],
        ['2', '8', false],
      ],
    );
    assert.deepEqual((await readdir(out)).sort(), ['scores.jsonl', 'summary.json']);
    assert.deepEqual(
      JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')),
      summary,
      'summary.json: the summary printed',
    );
  });
  test('ImgEdit judge results and Lisa with options', async () => {
    const dir = await tempDir();
    await put(
      join(dir, 'singleturn.json'),
      '{"5": {"id": "daily object/a.jpg", "prompt": "p", "edit_type": "add"}, "3": {"id": "style/b.jpg", "prompt": "p", "edit_type": "style"}}',
    );
    const res = await put(join(dir, 'result.json'), JSON.stringify({ 5: 'A: 4\nB: 4\nC: 5', 3: { error: 'x' } }));
    const a = await cli([
      'score',
      '--benchmark',
      'imgedit',
      '--data',
      dir,
      '--predictions',
      res,
      '--out',
      join(dir, 'o'),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(JSON.parse(a.stdout).metrics, {
      add: 4.33,
      overall: 4.33,
      sample_mean: 4.33,
      dropped: 1,
      unparseable: 0,
    });
    const rows = (await readFile(join(dir, 'o', 'scores.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.map((x) => x.avg),
      [null, 4.33],
    );

    await put(
      join(dir, 'lisa_test.json'),
      JSON.stringify([{ image: 'i.png', problem: 'p', solution: [0, 0, 10, 10] }]),
    );
    const lp = await put(
      join(dir, 'lisa.jsonl'),
      jsonl([{ id: 0, response: '<answer>{"bbox_2d": [0, 0, 5, 10]}</answer>' }]),
    );
    const strict = await cli([
      'score',
      '--benchmark',
      'lisa',
      '--data',
      join(dir, 'lisa_test.json'),
      '--predictions',
      lp,
      '--iou',
      'continuous',
    ]);
    assert.equal(JSON.parse(strict.stdout).metrics['P@0.5'], 0);
    const loose = await cli([
      'score',
      '--benchmark',
      'lisa',
      '--data',
      join(dir, 'lisa_test.json'),
      '--predictions',
      lp,
      '--iou',
      'continuous',
      '--compare',
      '>=',
    ]);
    assert.equal(JSON.parse(loose.stdout).metrics['P@0.5'], 100);
  });
  test('bad input: clear messages, non-zero exit, no stack traces', async () => {
    const dir = await tempDir();
    await put(join(dir, 'test_human.json'), JSON.stringify([{ imgname: 'a.png', query: 'q', label: '1' }]));
    await put(join(dir, 'test_augmented.json'), '[]');
    const bad = await put(join(dir, 'bad.jsonl'), '{"id": 0, "response": "1"}\n{"id": 1, "response": \n');
    const cases: Array<[string[], RegExp]> = [
      [['score', '--benchmark', 'chartqa', '--data', dir, '--predictions', bad], /bad\.jsonl:2: malformed JSON/],
      [
        ['score', '--benchmark', 'chartqa', '--data', dir, '--predictions', join(dir, 'none.jsonl')],
        /predictions file not found/,
      ],
      [['score', '--benchmark', 'nope', '--data', dir, '--predictions', bad], /unknown benchmark "nope"/],
      [
        ['score', '--benchmark', 'chartqa', '--data', join(dir, 'missing'), '--predictions', bad],
        /ChartQA data not found/,
      ],
      [['score', '--benchmark', 'chartqa', '--data', dir], /missing --predictions/],
      [
        ['score', '--benchmark', 'chartqa', '--data', dir, '--predictions', bad, '--seed', '1'],
        /--seed does not apply to chartqa/,
      ],
      [
        ['score', '--benchmark', 'mmmu-pro', '--data', dir, '--predictions', bad, '--fallback', 'maybe'],
        /--fallback must be one of random, wrong/,
      ],
      [['score', '--bogus'], /Unknown option '--bogus'/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stdout, '');
    }
  });
  test('ChartQA end to end through the package bin', async () => {
    const dir = await tempDir();
    await put(join(dir, 'test_human.json'), JSON.stringify([{ imgname: 'a.png', query: 'q', label: '14' }]));
    await put(join(dir, 'test_augmented.json'), JSON.stringify([{ imgname: 'b.png', query: 'q2', label: 'Yes' }]));
    const preds = await put(
      join(dir, 'p.jsonl'),
      jsonl([
        { id: 'a.png#q', response: '14.5' },
        { id: 1, response: 'yes.' },
      ]),
    );
    const r = await cli(['score', '--benchmark', 'chartqa', '--data', dir, '--predictions', preds]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).metrics, {
      relaxed_overall: 50,
      relaxed_human: 100,
      relaxed_augmented: 0,
      correct: 1,
    });
  });
});

describe('lavida-eval --help', () => {
  test('each subcommand prints its options on stdout and exits 0', async () => {
    const expected: Record<string, RegExp[]> = {
      run: [
        /--benchmark NAME/,
        /--server URL/,
        /--embedded/,
        /--openai URL/,
        /--api-key-env VAR/,
        /--resume/,
        /--knobs JSON/,
        /--progress-every S/,
      ],
      score: [/--predictions/, /--extractor official\|rules/, /--fallback random\|wrong/, /--iou vlm-r1\|continuous/],
      report: [/--runs DIR/, /--out DIR/, /--samples N/, /Wilson/, /bootstrap/],
    };
    for (const [cmd, patterns] of Object.entries(expected)) {
      for (const flag of ['--help', '-h']) {
        const r = await cli([cmd, flag]);
        assert.equal(r.code, 0, `${cmd} ${flag}: ${r.stderr}`);
        assert.equal(r.stderr, '');
        assert.match(r.stdout, new RegExp(`^usage: lavida-eval ${cmd} `));
        for (const p of patterns) assert.match(r.stdout, p, `${cmd} ${flag}`);
      }
    }
  });
  test('run and score --help name the --data layout of every benchmark', async () => {
    for (const cmd of ['run', 'score']) {
      const { stdout } = await cli([cmd, '--help']);
      const layout = stdout.slice(stdout.indexOf('--data for each benchmark:'));
      for (const [name, file] of [
        ['mathvista', 'testmini-\\*\\.parquet'],
        ['chartqa', 'test_human\\.json'],
        ['mmmu-pro', '"standard \\(10 options\\)/test-\\*\\.parquet"'],
        ['lisa', 'lisa_test\\.json'],
        ['imgedit', 'singleturn\\.json'],
      ]) {
        assert.match(layout, new RegExp(`\\n  ${name} +[^\\n]*${file}`), `${cmd}: ${name}`);
      }
    }
  });
  test('--help wins over missing required options', async () => {
    const r = await cli(['score', '--benchmark', 'chartqa', '--help']);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('--data pointed at the wrong folder', () => {
  // (Lisa takes that parent too: lisa_grounding/lisa_test.json is one of its released layouts)
  test('the parent of the benchmark folders: the message names the file that benchmark expects, and what is there', async () => {
    const root = await tempDir();
    // a make_benchmarks layout: every benchmark's folder side by side
    await put(join(root, 'ChartQA', 'ChartQA Dataset', 'test', 'test_human.json'), '[]');
    await writeParquet(join(root, 'MathVista', 'data', 'testmini-00000-of-00001.parquet'), [
      ['pid', ['1'], S.string('pid')],
    ]);
    await writeParquet(join(root, 'MMMU_Pro', 'vision', 'test-00000-of-00001.parquet'), [
      ['id', ['1'], S.string('id')],
    ]);
    await put(join(root, 'lisa_grounding', 'lisa_test.json'), '[]');
    await put(join(root, 'ImgEdit', 'Benchmark', 'singleturn', 'singleturn.json'), '{}');
    const preds = await put(join(await tempDir(), 'p.jsonl'), '');
    const got = 'got a folder holding ChartQA/, ImgEdit/, MMMU_Pro/, MathVista/, lisa_grounding/';
    const expected: Record<string, string> = {
      chartqa: "expected ChartQA's test_human.json here",
      mathvista: "expected MathVista's testmini-*.parquet or testmini.json here",
      'mmmu-pro': 'expected MMMU-Pro\'s "standard (10 options)/" and "vision/" folders here',
      imgedit: "expected ImgEdit's singleturn.json here",
    };
    for (const [benchmark, message] of Object.entries(expected)) {
      const r = await cli(['score', '--benchmark', benchmark, '--data', root, '--predictions', preds]);
      assert.equal(r.code, 1, `${benchmark}: ${r.stdout}`);
      assert.ok(r.stderr.includes(`--data ${root}: ${message}; ${got}`), `${benchmark}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
  test('an empty folder says so', async () => {
    const dir = await tempDir();
    const r = await cli([
      'score',
      '--benchmark',
      'chartqa',
      '--data',
      dir,
      '--predictions',
      await put(join(dir, 'p.jsonl'), ''),
    ]);
    // the predictions file is the only entry
    assert.match(r.stderr, /expected ChartQA's test_human\.json here; got a folder holding p\.jsonl/);
    const empty = await tempDir();
    const r2 = await cli(['score', '--benchmark', 'lisa', '--data', empty, '--predictions', join(dir, 'p.jsonl')]);
    assert.match(r2.stderr, /expected Lisa-Grounding's lisa_test\.json here; got an empty folder/);
  });
});
