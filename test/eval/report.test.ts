import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import { bootstrapInterval, mean, wilsonInterval } from '../../eval/report/stats.js';
import { FILTER_SCRIPT } from '../../eval/report/viewer.js';
import { cli, jsonl, put, solidPng, tempDir } from './helpers.js';

const SHA = 'ab12cd34'.padEnd(64, '0');

interface FakeRun {
  benchmark: string;
  model?: string;
  sha?: string | null;
  metrics: Record<string, number | null>;
  counts?: Record<string, number>;
  errors?: number;
  knobs?: object;
  scores?: object[];
  n?: number;
}

async function fakeRun(dir: string, r: FakeRun): Promise<string> {
  await put(
    join(dir, 'run.json'),
    JSON.stringify({
      benchmark: r.benchmark,
      model: r.model ?? 'lavida-r1-tiny',
      package_sha256: r.sha === undefined ? SHA : r.sha,
      data: '/nonexistent',
      server: 'embedded',
      embedded: true,
      git: null,
      limit: null,
      prompt: null,
      direct: false,
      knobs: r.knobs ?? null,
      total: 10,
      completed: 10,
      errors: r.errors ?? 0,
      finished_at: 'x',
      wall_s: 1,
    }),
  );
  await put(
    join(dir, 'summary.json'),
    JSON.stringify({
      benchmark: r.benchmark,
      n: r.n ?? 10,
      metrics: r.metrics,
      sample_counts: r.counts ?? {},
      missing: 0,
      settings: {},
    }),
  );
  if (r.scores) await put(join(dir, 'scores.jsonl'), jsonl(r.scores));
  return dir;
}

type Table = {
  benchmark: string;
  rows: Array<{
    label: string;
    values: Record<string, number | null>;
    intervals: Record<string, { lo: number; hi: number } | null>;
    rates: Record<string, number | null>;
    errors: number | null;
    source?: string;
  }>;
  categories: Array<{
    title: string;
    runs: string[];
    rows: Array<{
      category: string;
      cells: Array<{ value: number | null; n: number | null; interval: { lo: number; hi: number } | null }>;
    }>;
  }>;
};

const near = (a: number, b: number, eps = 1e-6): void => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('Wilson score interval', () => {
  // (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964, worked by hand; 0/n has the closed form z²/(n + z²)
  for (const [hits, n, lo, hi] of [
    [0, 10, 0, 27.75328],
    [5, 10, 23.659309, 76.340691],
    [10, 10, 72.24672, 100],
    [18, 30, 42.32036, 75.409372],
    [1, 300, 0.058866, 1.863669],
  ] as const) {
    test(`${hits}/${n}`, () => {
      const i = wilsonInterval(hits, n)!;
      near(i.lo, lo);
      near(i.hi, hi);
    });
  }
  test('no samples: no interval', () => assert.equal(wilsonInterval(0, 0), null));
});

describe('percentile bootstrap', () => {
  const ious = Array.from({ length: 50 }, (_, i) => ((i * 37) % 100) / 1);
  const stat = ([xs]: number[][]): number => mean(xs!);
  test('deterministic: the same samples give the same interval, another seed another one', () => {
    const a = bootstrapInterval([ious], stat)!;
    assert.deepEqual(bootstrapInterval([[...ious]], stat), a);
    assert.notDeepEqual(bootstrapInterval([ious], stat, { seed: 1 }), a);
  });
  test('covers the sample mean, and narrows with four times the samples', () => {
    const a = bootstrapInterval([ious], stat)!;
    assert.ok(a.lo < mean(ious) && mean(ious) < a.hi, JSON.stringify(a));
    const b = bootstrapInterval([[...ious, ...ious, ...ious, ...ious]], stat)!;
    const ratio = (b.hi - b.lo) / (a.hi - a.lo);
    assert.ok(ratio > 0.4 && ratio < 0.6, `width ratio ${ratio} (expected about 1/2)`);
  });
  test('constant samples: a zero-width interval; an empty stratum: none', () => {
    assert.deepEqual(bootstrapInterval([[7, 7, 7]], stat), { lo: 7, hi: 7 });
    assert.equal(bootstrapInterval([[1], []], stat), null);
  });
});

describe('lavida-eval report', () => {
  test('rows labelled by model, package hash and knobs; intervals, rates and per-category tables; the papers as sources', async () => {
    const root = await tempDir();
    const ious = [0.9, 0.1, 0.6, 0.0, 0.75, 0.55, 0.3, 0.8, 0.2, 0.45];
    const lisa = await fakeRun(join(root, 'run-a'), {
      benchmark: 'lisa',
      metrics: { miou: mean(ious) * 100, 'P@0.5': 60, parse_failures: 2 },
      counts: { 'P@0.5': 10 },
      errors: 2,
      scores: ious.map((iou, i) => ({ id: String(i), iou, hit: iou > 0.5 })),
    });
    const sft = await fakeRun(join(root, 'run-b'), {
      benchmark: 'lisa',
      model: 'sft',
      sha: null,
      metrics: { miou: 12.5, 'P@0.5': 10, parse_failures: 0 },
      counts: { 'P@0.5': 10 },
    });
    const fast = await fakeRun(join(root, 'run-c'), {
      benchmark: 'mathvista',
      knobs: { threshold: 0.9, dual_cache: true },
      n: 30,
      metrics: {
        accuracy: 60,
        correct: 18,
        'skills/algebraic reasoning': 50,
        'skills/arithmetic reasoning': 100,
        'category/math-targeted-vqa': 60,
        'extraction_method/empty': 3,
        'extraction_method/rule': 27,
      },
      counts: {
        accuracy: 30,
        'skills/algebraic reasoning': 10,
        'skills/arithmetic reasoning': 4,
        'category/math-targeted-vqa': 30,
      },
    });
    const mmmu = await fakeRun(join(root, 'run-d'), {
      benchmark: 'mmmu-pro',
      n: 8,
      metrics: {
        standard: 50,
        'standard/fallbacks': 1,
        vision: 25,
        'vision/fallbacks': 3,
        mean: 37.5,
        'standard/subject/Art': 50,
        'vision/subject/Art': 25,
      },
      counts: { standard: 4, vision: 4, 'standard/subject/Art': 4, 'vision/subject/Art': 4 },
      scores: [1, 1, 0, 0]
        .map((c, i) => ({ id: `standard/${i}`, correct: c === 1 }))
        .concat([1, 0, 0, 0].map((c, i) => ({ id: `vision/${i}`, correct: c === 1 }))),
    });
    const chart = await fakeRun(join(root, 'run-e'), {
      benchmark: 'chartqa',
      metrics: { relaxed_overall: 30, relaxed_human: 40, relaxed_augmented: 20, correct: 3 },
      counts: { relaxed_overall: 10, relaxed_human: 5, relaxed_augmented: 5 },
    });
    const edit = await fakeRun(join(root, 'run-f'), {
      benchmark: 'imgedit',
      metrics: { add: 4.5, style: 2, overall: 3.25, sample_mean: 3.4, dropped: 1 },
    });
    const out = join(root, 'report');
    const r = await cli(['report', '--runs', lisa, sft, fast, mmmu, chart, edit, '--out', out, '--samples', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trim().split('\n'),
      ['report.md', 'report.json', 'report.html'].map((f) => join(out, f)),
      'no viewer with --samples 0',
    );

    const json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    const table = (b: string): Table => json.tables.find((t: Table) => t.benchmark === b);
    const l = table('lisa');
    assert.deepEqual(
      l.rows.map((x) => x.label),
      ['lavida-r1-tiny @ab12cd34', 'sft', 'LaViDa-R1 (paper)', 'LaViDa-O (baseline)'],
    );
    assert.deepEqual(l.rows[0]!.values, { 'P@0.5': 60, miou: mean(ious) * 100 });
    near(l.rows[0]!.intervals['P@0.5']!.lo, 31.267377);
    near(l.rows[0]!.intervals['P@0.5']!.hi, 83.181967);
    const miou = l.rows[0]!.intervals.miou!;
    assert.ok(
      miou.lo < 46.5 && 46.5 < miou.hi && miou.hi - miou.lo > 10,
      `bootstrap mIoU interval ${JSON.stringify(miou)}`,
    );
    assert.equal(l.rows[1]!.intervals.miou, null, 'no scores.jsonl: no bootstrap');
    assert.deepEqual(l.rows[0]!.rates, { 'parse failures %': 20 });
    assert.equal(l.rows[0]!.errors, 2);
    assert.deepEqual(l.rows[3]!.values, { 'P@0.5': null, miou: 26.1 });
    for (const t of json.tables as Table[]) {
      for (const row of t.rows.filter((x) => x.source)) assert.match(row.source!, /arXiv (2602\.14147|2509\.19244)/);
    }
    assert.doesNotMatch(JSON.stringify(json.references), /lavida-family|§|secondary/);

    const m = table('mathvista');
    assert.equal(m.rows[0]!.label, 'lavida-r1-tiny @ab12cd34 threshold=0.9 dual_cache=true');
    assert.deepEqual(m.rows[0]!.rates, { 'no answer extracted %': 10 });
    const skills = m.categories.find((c) => c.title === 'by skills')!;
    assert.deepEqual(
      skills.rows.map((x) => [x.category, x.cells[0]!.value, x.cells[0]!.n]),
      [
        ['algebraic reasoning', 50, 10],
        ['arithmetic reasoning', 100, 4],
      ],
    );
    near(skills.rows[0]!.cells[0]!.interval!.lo, 23.659309);
    assert.deepEqual(
      m.categories.map((c) => c.title),
      ['by skills', 'by category'],
    );

    const p = table('mmmu-pro');
    assert.deepEqual(p.rows[0]!.rates, { 'standard random fallback %': 25, 'vision random fallback %': 75 });
    const mmmuMean = p.rows[0]!.intervals.mean!;
    assert.ok(mmmuMean.lo < 37.5 && 37.5 < mmmuMean.hi, JSON.stringify(mmmuMean));
    assert.deepEqual(
      p.categories.map((c) => [c.title, c.rows.map((x) => x.category)]),
      [
        ['by setting', ['standard', 'vision']],
        ['by subject (standard)', ['Art']],
        ['by subject (vision)', ['Art']],
      ],
    );
    assert.deepEqual(
      table('chartqa').categories[0]!.rows.map((x) => [x.category, x.cells[0]!.value, x.cells[0]!.n]),
      [
        ['human', 40, 5],
        ['augmented', 20, 5],
      ],
    );
    const e = table('imgedit');
    assert.deepEqual(
      e.categories[0]!.rows.map((x) => [x.category, x.cells[0]!.value, x.cells[0]!.interval]),
      [
        ['add', 4.5, null],
        ['style', 2, null],
      ],
    );
    assert.deepEqual(e.rows[0]!.rates, { 'unscored judge replies %': 10 });

    const md = await readFile(join(out, 'report.md'), 'utf8');
    assert.match(md, /Wilson score interval/);
    assert.match(md, /percentile bootstrap \(2000 resamples, seed 0\)/);
    assert.match(
      md,
      /\| lavida-r1-tiny @ab12cd34 \| 10 \| 2 \| 60\.0 \[31\.3, 83\.2\] \| 46\.5 \[\d+\.\d, \d+\.\d\] \| 20\.0 \|/,
    );
    assert.match(md, /\| sft \| 10 \| 0 \| 10\.0 \[1\.8, 40\.4\] \| 12\.5 \| 0\.0 \|/);
    assert.match(md, /\| \*LaViDa-O \(baseline\)\* \| {2}\| {2}\| — \| 26\.1 \| {2}\|/);
    assert.match(
      md,
      /### MathVista \(testmini\) by skills\n\n\| category \| lavida-r1-tiny @ab12cd34 threshold=0\.9 dual_cache=true \|\n\|---\|---:\|\n\| algebraic reasoning \| 50\.0 \[23\.7, 76\.3\] n=10 \|/,
    );
    assert.match(md, /\| add \| 4\.50 \|/);

    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg [^>]*aria-label="Lisa-Grounding: mIoU %"/);
    assert.match(html, /<line [^>]*class="ci"\/>/, 'intervals drawn as whiskers');
    assert.match(html, /<td class="num">60\.0 <span class="ci">\[31\.3, 83\.2\]<\/span><\/td>/);
    assert.match(html, /<h3>MMMU-Pro by subject \(vision\)<\/h3>/);
    assert.doesNotMatch(
      html,
      /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
      'self-contained: no scripts, no external URLs',
    );
  });

  test('runs alike in model, package and knobs are told apart by their folders', async () => {
    const root = await tempDir();
    const a = await fakeRun(join(root, 'seed0'), { benchmark: 'chartqa', metrics: { relaxed_overall: 30 } });
    const b = await fakeRun(join(root, 'seed1'), { benchmark: 'chartqa', metrics: { relaxed_overall: 40 } });
    const r = await cli(['report', '--runs', a, b, '--out', join(root, 'report'), '--samples', '0']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(await readFile(join(root, 'report', 'report.json'), 'utf8'));
    assert.deepEqual(
      json.tables[0].rows.slice(0, 2).map((x: { label: string }) => x.label),
      ['lavida-r1-tiny @ab12cd34 (seed0)', 'lavida-r1-tiny @ab12cd34 (seed1)'],
    );
  });

  test('a folder that is not a run is a clear error', async () => {
    const r = await cli(['report', '--runs', await tempDir()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /run\.json not found: is this a `lavida-eval run` output folder\?/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('--runs is required', async () => {
    const r = await cli(['report']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing --runs/);
  });
});

/** A minimal DOM for FILTER_SCRIPT: the articles and sections of the page, the run picker, the checkbox. */
function fakeDom(html: string) {
  const attrs = (tag: string) =>
    [
      ...html.matchAll(new RegExp(`<${tag} class="([^"]*)" data-run="(\\d+)"(?: data-wrong="(true|false)")?>`, 'g')),
    ].map((m) => ({ className: m[1], dataset: { run: m[2], wrong: m[3] }, hidden: false }));
  const samples = attrs('article');
  const sections = attrs('section');
  const listeners: Array<() => void> = [];
  const control = <T extends object>(o: T) => ({
    ...o,
    addEventListener: (_: string, f: () => void) => listeners.push(f),
  });
  const elements: Record<string, { value?: string; checked?: boolean; textContent?: string }> = {
    run: control({ value: 'all' }),
    'wrong-only': control({ checked: false }),
    count: { textContent: '' },
  };
  const document = {
    getElementById: (id: string) => elements[id],
    querySelectorAll: (sel: string) => (sel === 'article.sample' ? samples : sel === 'section.run' ? sections : []),
  };
  return { document, samples, sections, elements, fire: () => listeners.forEach((f) => f()) };
}

describe('sample viewer (samples.html)', () => {
  test('each sample with its image inline, prompt, response, extraction and score; the filters work', async () => {
    const root = await tempDir();
    const data = join(root, 'ChartQA');
    await put(join(data, 'png', 'a.png'), await solidPng(40, 30, [255, 0, 0]));
    await put(join(data, 'png', 'b.png'), await solidPng(30, 30, [0, 0, 255]));
    await put(
      join(data, 'test_human.json'),
      JSON.stringify([{ imgname: 'a.png', query: 'How many <bars>?', label: '14' }]),
    );
    await put(
      join(data, 'test_augmented.json'),
      JSON.stringify([{ imgname: 'b.png', query: 'Which colour?', label: 'Blue' }]),
    );
    const runs: string[] = [];
    for (const [name, responses] of [
      ['good', ['14', 'Blue']],
      ['bad', ['15', 'Blue']],
    ] as const) {
      const dir = join(root, name);
      runs.push(dir);
      await put(
        join(dir, 'predictions.jsonl'),
        jsonl(
          responses.map((response, id) => ({
            id: String(id),
            response,
            text: `I think… <answer>${response}</answer>`,
          })),
        ),
      );
      const scored = await cli([
        'score',
        '--benchmark',
        'chartqa',
        '--data',
        data,
        '--predictions',
        join(dir, 'predictions.jsonl'),
        '--out',
        dir,
      ]);
      assert.equal(scored.code, 0, scored.stderr);
      await put(
        join(dir, 'run.json'),
        JSON.stringify({
          benchmark: 'chartqa',
          data,
          model: name,
          package_sha256: null,
          limit: null,
          prompt: null,
          direct: false,
          knobs: null,
          errors: 0,
        }),
      );
    }
    const out = join(root, 'report');
    const r = await cli(['report', '--runs', ...runs, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /samples\.html/);
    assert.match(await readFile(join(out, 'report.html'), 'utf8'), /<a href="samples\.html">/);
    const html = await readFile(join(out, 'samples.html'), 'utf8');
    assert.equal((html.match(/<article /g) ?? []).length, 4);
    assert.equal(
      (html.match(/<img src="data:image\/jpeg;base64,[A-Za-z0-9+/=]+"/g) ?? []).length,
      4,
      "every sample's chart inline",
    );
    assert.ok(
      html.includes('How many &lt;bars&gt;?\nAnswer the question with a single word.'),
      'the prompt as sent, escaped',
    );
    assert.ok(html.includes('I think… &lt;answer&gt;15&lt;/answer&gt;'), 'the whole response');
    assert.match(
      html,
      /<article class="sample wrong" data-run="1" data-wrong="true">.*?<h3>0: wrong<\/h3>.*?<dt>extracted<\/dt><dd><pre>15<\/pre><\/dd><dt>answer<\/dt><dd><pre>14<\/pre>/s,
    );
    assert.match(html, /<input type="checkbox" id="wrong-only">/);
    assert.doesNotMatch(html.replace(/<script>[\s\S]*<\/script>/, ''), /https?:\/\//, 'self-contained');
    assert.ok(html.includes(`<script>${FILTER_SCRIPT}</script>`));

    const dom = fakeDom(html);
    vm.runInNewContext(FILTER_SCRIPT, { document: dom.document });
    assert.equal(dom.elements.count!.textContent, '4 of 4 samples');
    dom.elements['wrong-only']!.checked = true;
    dom.fire();
    assert.deepEqual(
      dom.samples.filter((s) => !s.hidden).map((s) => s.dataset),
      [{ run: '1', wrong: 'true' }],
    );
    assert.equal(dom.elements.count!.textContent, '1 of 4 samples');
    dom.elements['wrong-only']!.checked = false;
    dom.elements.run!.value = '0';
    dom.fire();
    assert.deepEqual(
      dom.samples.map((s) => s.hidden),
      [false, false, true, true],
    );
    assert.deepEqual(
      dom.sections.map((s) => s.hidden),
      [false, true],
    );
  });

  test('data gone: samples still listed, with a note instead of prompts and images', async () => {
    const root = await tempDir();
    const dir = await fakeRun(join(root, 'run'), {
      benchmark: 'chartqa',
      metrics: { relaxed_overall: 0 },
      scores: [{ id: '0', prediction: 'x', answer: ['y'], correct: false }],
    });
    await put(join(dir, 'predictions.jsonl'), jsonl([{ id: '0', response: 'x' }]) + '{"id": "1", "resp');
    const r = await cli(['report', '--runs', dir, '--out', join(root, 'report')]);
    assert.equal(r.code, 0, r.stderr);
    const html = await readFile(join(root, 'report', 'samples.html'), 'utf8');
    assert.match(html, /no prompts or images: the run's data \(\/nonexistent\) could not be read/);
    assert.equal((html.match(/<article /g) ?? []).length, 1, 'the torn last line is skipped');
  });
});
