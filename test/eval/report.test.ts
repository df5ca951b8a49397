import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli, put, tempDir } from './helpers.js';


async function fakeRun(dir: string, benchmark: string, model: string, metrics: Record<string, number | null>, errors = 0, knobs?: object): Promise<string> {
  await put(join(dir, 'run.json'), JSON.stringify({ benchmark, model, data: '/d', server: 'embedded', embedded: true, limit: null, prompt: null, knobs, total: 10, completed: 10, errors, finished_at: 'x', wall_s: 1 }));
  await put(join(dir, 'summary.json'), JSON.stringify({ benchmark, n: 10, metrics, missing: 0, settings: {} }));
  return dir;
}

describe('lavida-eval report', () => {
  test('markdown, JSON and HTML carry the runs\' metrics beside the published numbers', async () => {
    const root = await tempDir();
    const a = await fakeRun(join(root, 'tiny-lisa'), 'lisa', 'lavida-r1-tiny', { miou: 41.25, 'P@0.5': 37.5, parse_failures: 0 }, 2);
    const b = await fakeRun(join(root, 'sft-lisa'), 'lisa', 'sft', { miou: 12.5, 'P@0.5': 10, parse_failures: 1 });
    const fast = await fakeRun(join(root, 'tiny-vqa'), 'mathvista', 'lavida-r1-tiny', { accuracy: 5 }, 0, { threshold: 0.9, dual_cache: true });
    const c = await fakeRun(join(root, 'tiny-edit'), 'imgedit', 'lavida-r1-tiny', { overall: 2.3456, sample_mean: 2.5, dropped: 0 });
    const out = join(root, 'report');
    const r = await cli(['report', '--runs', a, b, c, fast, '--out', out]);
    assert.equal(r.code, 0, r.stderr);

    const json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    const lisa = json.tables.find((t: { benchmark: string }) => t.benchmark === 'lisa');
    assert.deepEqual(lisa.rows.map((x: { label: string }) => x.label), ['tiny-lisa', 'sft-lisa', 'LaViDa-R1 (paper)', 'LaViDa-O (baseline)']);
    assert.deepEqual(lisa.rows[0].values, { 'P@0.5': 37.5, miou: 41.25 });
    assert.equal(lisa.rows[0].errors, 2);
    assert.deepEqual(lisa.rows[2].values, { 'P@0.5': 66.7, miou: 60 });
    assert.deepEqual(lisa.rows[3].values, { 'P@0.5': null, miou: 26.1 });
    const edit = json.tables.find((t: { benchmark: string }) => t.benchmark === 'imgedit');
    assert.equal(edit.rows[0].values.overall, 2.3456);
    assert.equal(json.tables.length, 3, 'only benchmarks with runs get a table');
    const mathvista = json.tables.find((t: { benchmark: string }) => t.benchmark === 'mathvista');
    assert.equal(mathvista.rows[0].label, 'tiny-vqa [threshold=0.9, dual_cache=true]', 'a run\'s decoding knobs are in its label');

    const md = await readFile(join(out, 'report.md'), 'utf8');
    assert.match(md, /\| tiny-lisa \| lavida-r1-tiny \| 10 \| 2 \| 37\.5 \| 41\.3 \|/);
    assert.match(md, /\| sft-lisa \| sft \| 10 \| 0 \| 10\.0 \| 12\.5 \|/);
    assert.match(md, /\| \*LaViDa-O \(baseline\)\* \|  \|  \|  \| — \| 26\.1 \|/);
    assert.match(md, /\| tiny-edit \| lavida-r1-tiny \| 10 \| 0 \| 2\.35 \| 2\.50 \|/);
    assert.match(md, /\| \*LaViDa-R1 \(paper\)\* \|  \|  \|  \| 3\.90 \| — \|/);
    assert.match(md, /lavida-family\.md §8\.1/);

    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg [^>]*aria-label="Lisa-Grounding: mIoU %"/);
    assert.match(html, /<td class="num">41\.3<\/td>/);
    assert.match(html, />2\.35<\/text>/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained: no scripts, no external URLs');
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
