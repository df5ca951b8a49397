// resizeSquare (pad + resize without the padded canvas) equals the padded canvas resized, bit for bit; and a
// degenerate image costs what its pixels cost, not its longer side squared.
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { describe, test } from 'node:test';
import { resizeBicubic } from '../../server/engine/image/resample.js';
import type { RgbImage } from '../../server/engine/image/rgb.js';
import { expandToSquare, resizeSquare } from '../../server/engine/image/square.js';

function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width, height, data };
}

describe('resizeSquare', () => {
  test('equals resizeBicubic(expandToSquare(img)) for wide, tall, odd, square, up- and downscaled images', () => {
    const sizes: Array<[number, number]> = [
      [97, 31],
      [31, 97],
      [200, 1],
      [1, 200],
      [64, 64],
      [40, 13],
      [13, 40],
      [64, 20],
      [20, 64],
      [300, 299],
      [2, 3],
      [5, 1],
      [130, 64],
      [64, 130],
    ];
    for (const [i, [w, h]] of sizes.entries()) {
      for (const size of [64, 48, 100]) {
        const img = noise(w, h, i + size);
        const want = resizeBicubic(expandToSquare(img), size, size);
        const got = resizeSquare(img, size);
        assert.ok(Buffer.from(got.data).equals(Buffer.from(want.data)), `${w}x${h} → ${size}`);
      }
      const other = resizeSquare(noise(w, h, i), 64, [10, 200, 30]);
      assert.ok(
        Buffer.from(other.data).equals(
          Buffer.from(resizeBicubic(expandToSquare(noise(w, h, i), [10, 200, 30]), 64, 64).data),
        ),
      );
    }
  });

  test('a 40000x1 and a 1x40000 image resize although their padded squares could not even be allocated', () => {
    // The cost bound as a fact rather than a timing: the padded canvas is over the largest typed array.
    assert.ok(40000 * 40000 * 3 > constants.MAX_LENGTH);
    for (const [w, h] of [
      [40000, 1],
      [1, 40000],
    ] as const) {
      const out = resizeSquare(noise(w, h, 1), 384);
      assert.equal(out.width, 384);
      assert.equal(out.data.length, 384 * 384 * 3);
    }
  });
});
