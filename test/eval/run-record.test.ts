// run.json's provenance (the harness commit, the model package's sha256) and the run folder's contents.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { NO_PACKAGE, PACKAGE_DIR } from '../package.js';
import { cli, put, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const head = async (): Promise<string> =>
  (await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: ROOT })).stdout.trim();

/** A ChartQA folder with `n` questions on one 8×8 chart. */
async function chartqa(dir: string): Promise<string> {
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toFile(await put(join(dir, 'png', 'a.png'), ''));
  await put(join(dir, 'test_human.json'), JSON.stringify([{ imgname: 'a.png', query: 'How many?', label: '2' }]));
  await put(join(dir, 'test_augmented.json'), '[]');
  return dir;
}

describe('run.json provenance', () => {
  test('against a --server: the commit, no package hash (the server does not say), no images/ folder', async () => {
    const dir = await tempDir();
    const server = createServer((req, res) => {
      const json = (body: unknown): void =>
        void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/v1/models')
        return json({ object: 'list', data: [{ id: 'fake', object: 'model', created: 0, owned_by: 'x' }] });
      req.resume().on('end', () =>
        json({
          id: 'v',
          object: 'vqa',
          created: 0,
          model: 'fake',
          reasoning: '',
          answer: '2',
          text: '2',
          finished: true,
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, nfe: 1 },
          timings: { image_decode_ms: 0, inference_ms: 0, total_ms: 0 },
        }),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const out = join(dir, 'out');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await cli([
        'run',
        '--benchmark',
        'chartqa',
        '--data',
        await chartqa(join(dir, 'data')),
        '--server',
        url,
        '--out',
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      assert.equal(record.git.commit, await head());
      assert.equal(typeof record.git.dirty, 'boolean');
      assert.equal(record.package_sha256, null);
      assert.deepEqual((await readdir(out)).sort(), ['predictions.jsonl', 'run.json', 'scores.jsonl', 'summary.json']);
    } finally {
      server.close();
    }
  });

  test("--embedded: the sha256 of the package's manifest.json", { skip: NO_PACKAGE }, async () => {
    const dir = await tempDir();
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toFile(await put(join(dir, 'a.png'), ''));
    const data = await put(
      join(dir, 'lisa_test.json'),
      JSON.stringify([{ image: 'a.png', problem: 'the square', solution: [0, 0, 8, 8] }]),
    );
    const out = join(dir, 'out');
    const r = await cli(
      [
        'run',
        '--benchmark',
        'lisa',
        '--data',
        data,
        '--embedded',
        '--models-dir',
        dirname(PACKAGE_DIR),
        '--model',
        basename(PACKAGE_DIR),
        '--out',
        out,
      ],
      { LAVIDA_WORKERS: '1', LAVIDA_INTRA_OP_THREADS: '1', OMP_NUM_THREADS: '1' },
    );
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    const manifest = await readFile(join(PACKAGE_DIR, 'manifest.json'));
    assert.equal(record.package_sha256, createHash('sha256').update(manifest).digest('hex'));
    assert.match(record.package_sha256, /^[0-9a-f]{64}$/);
    assert.equal(record.git.commit, await head());
    assert.equal(existsSync(join(out, 'images')), false, 'grounding writes no images');
  });
});
