import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { countImageTokens, selectBestResolution, unpaddedShape } from '../../server/engine/image/anyres.js';
import { binsToBox, boxBinRanges, boxToBins, roundHalfEven, type Box } from '../../server/engine/image/boxes.js';
import { ImageError, requireImageMime, sniffImageMime } from '../../server/engine/image/mime.js';
import { decodeImage, processAnyres, processSquare, vqPixels } from '../../server/engine/image/preprocess.js';
import { resizeBicubic } from '../../server/engine/image/resample.js';
import type { ModelConfig } from '../../server/engine/package/model-config.js';
import { float32s, fromBase64, reference, SKIP_REASON } from './reference.js';

// Tolerance: none. Resizing is Pillow's fixed-point bicubic reimplemented in TS, so every pixel must be equal.
describe('image preprocessing = lavida_r1.model.image_processing (exact)', { skip: SKIP_REASON }, () => {
  const im = () => reference().cases.image;

  test('bicubic resize equals Pillow on 40 random/photo-like images (up and down, to 384 and 64)', () => {
    for (const c of im().resizes) {
      const [w, h] = c.size;
      const out = resizeBicubic({ width: w, height: h, data: fromBase64(c.src) }, c.target[0], c.target[1]);
      assert.ok(Buffer.from(out.data).equals(fromBase64(c.out)), `${w}x${h} → ${c.target}`);
    }
  });

  test('anyres views, grid, token count, square and VQ pixels of world, photo-like, alpha, palette and EXIF images', async () => {
    const { dir } = reference();
    const tiny: ModelConfig = im().tiny;
    for (const c of im().images) {
      const img = await decodeImage(readFileSync(join(dir, c.file)));
      const p = processAnyres(img, tiny);
      assert.deepEqual(p.originalSize, c.original_size, c.file);
      assert.deepEqual(p.grid, c.grid, c.file);
      assert.equal(countImageTokens(tiny, p.grid, ...p.originalSize), c.image_tokens, c.file);
      assert.deepEqual(p.pixelValues, float32s(c.pixel_values), c.file);
      const square = processSquare(img, tiny.vq.image_size);
      assert.ok(Buffer.from(square.data).equals(fromBase64(c.square)), c.file);
      assert.deepEqual(vqPixels(square), float32s(c.vq_pixels), c.file);
    }
  });

  test('select_best_resolution, count_image_tokens and unpadded_shape (tiny and upstream, 300 sizes)', () => {
    for (const g of im().geometry) {
      const c: ModelConfig = g.preset === 'tiny' ? im().tiny : im().upstream;
      const s = c.vision.image_size;
      const [w, h] = g.size;
      const best = selectBestResolution(
        w,
        h,
        c.image_grid_pinpoints.map(([a, b]) => [a * s, b * s] as [number, number]),
      );
      assert.deepEqual(best, g.best);
      const grid: [number, number] = [best[0] / s, best[1] / s];
      assert.equal(countImageTokens(c, grid, w, h), g.tokens, `${g.preset} ${w}x${h}`);
      assert.deepEqual(unpaddedShape(grid[1] * 13, grid[0] * 13, w, h), g.unpadded);
    }
  });

  test('LOC bins ↔ pixel boxes (box_to_bins, bins_to_box, box_bin_ranges)', () => {
    for (const b of im().boxes) {
      const [w, h] = b.size;
      assert.deepEqual(boxToBins(b.box as Box, w, h), b.bins, JSON.stringify(b));
      assert.deepEqual(binsToBox(b.some_bins, w, h), b.back);
      assert.deepEqual(boxBinRanges(w, h), b.ranges, `${w}x${h}`);
    }
  });
});

describe('decoding guards', () => {
  const png = (w: number, h: number) =>
    sharp({ create: { width: w, height: h, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();

  test('MIME is sniffed from the bytes', async () => {
    assert.equal(sniffImageMime(await png(2, 2)), 'image/png');
    assert.equal(sniffImageMime(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(sniffImageMime(Buffer.from('RIFF0000WEBPVP8 ')), 'image/webp');
    assert.equal(sniffImageMime(Buffer.from('GIF89a')), 'image/gif');
    assert.equal(sniffImageMime(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null);
  });

  test('non-images and refused types get an ImageError naming the problem', async () => {
    assert.throws(
      () => requireImageMime(Buffer.from('%PDF-1.7')),
      (e: unknown) => e instanceof ImageError && e.code === 'unsupported_type' && /255044462d/.test(e.message),
    );
    await assert.rejects(decodeImage(await png(2, 2), { allowed: ['image/jpeg'] }), /image\/png is not accepted/);
  });

  test('decoded-pixel limit (decompression bombs)', async () => {
    await assert.rejects(
      decodeImage(await png(100, 100), { maxPixels: 9_999 }),
      (e: unknown) => e instanceof ImageError && e.code === 'too_many_pixels',
    );
    assert.equal((await decodeImage(await png(100, 100), { maxPixels: 10_000 })).width, 100);
  });

  test('truncated files are undecodable, not crashes', async () => {
    const bytes = await png(64, 64);
    await assert.rejects(
      decodeImage(bytes.subarray(0, 40)),
      (e: unknown) => e instanceof ImageError && e.code === 'undecodable',
    );
  });

  test('round half to even like Python', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4999999, 3.5000001].map(roundHalfEven), [0, 2, 2, 0, 2, 4]);
  });
});
