// Image threads prepare exactly what the calling thread would, carry ImageError across, and fail the calls in
// flight when closed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ImagePool } from '../../server/engine/image/image-pool.js';
import { ImageError } from '../../server/engine/image/mime.js';
import { prepareImage } from '../../server/engine/image/prepare.js';
import { decodeImage } from '../../server/engine/image/preprocess.js';
import { WorkerUnavailableError } from '../../server/engine/ort/worker-errors.js';
import type { PackageConfig } from '../../server/engine/package/manifest.js';
import { NO_PACKAGE, PACKAGE_DIR } from '../package.js';
import { greyPng } from '../png.js';

describe('image threads', { skip: NO_PACKAGE }, () => {
  const config = (): PackageConfig =>
    (JSON.parse(readFileSync(join(PACKAGE_DIR, 'manifest.json'), 'utf8')) as { config: PackageConfig }).config;
  const pools: ImagePool[] = [];
  const pool = (): ImagePool => {
    const p = new ImagePool(2, config());
    pools.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  test('prepare = prepareImage(decodeImage) on the calling thread, VQ input for edits only', async () => {
    const p = pool();
    for (const bytes of [
      readFileSync('examples/count.png'),
      readFileSync('examples/edit.png'),
      greyPng(300, 17, 8, 40),
    ]) {
      const local = prepareImage(await decodeImage(bytes), config(), true);
      const [vqa, edit] = await Promise.all([p.prepare(bytes), p.prepare(bytes, { edit: true })]);
      assert.deepEqual(edit, local);
      assert.deepEqual(vqa, { ...local, vq: undefined });
    }
  });

  test('ImageError crosses the thread with its code', async () => {
    const p = pool();
    await assert.rejects(
      p.prepare(greyPng(100, 100, 8, 1), { maxPixels: 9_999 }),
      (e) => e instanceof ImageError && e.code === 'too_many_pixels',
    );
    await assert.rejects(
      p.prepare(greyPng(600, 10, 8, 1), { maxAspectRatio: 50 }),
      (e) => e instanceof ImageError && e.code === 'bad_aspect_ratio',
    );
    await assert.rejects(
      p.prepare(Buffer.from('not an image')),
      (e) => e instanceof ImageError && e.code === 'unsupported_type',
    );
  });

  test('closing fails the calls in flight and later ones with WorkerUnavailableError', async () => {
    const p = pool();
    const inFlight = assert.rejects(p.prepare(greyPng(3000, 3000, 8, 128)), WorkerUnavailableError);
    await p.close();
    await inFlight;
    await assert.rejects(p.prepare(greyPng(10, 10, 8, 1)), WorkerUnavailableError);
  });
});
