// The VQ decoder's output as images: 8-bit RGB rasters and PNGs.
import sharp from 'sharp';
import { roundHalfEven } from './boxes.js';
import type { RgbImage } from './rgb.js';

/** Image k of decoder output [B, 3, S, S] in [-1, 1] as 8-bit RGB: round((p + 1) * 127.5) in float32, ties to
 *  even (numpy's round), clipped. */
export function toRgb(pixels: Float32Array, k: number, size: number): RgbImage {
  const plane = size * size;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = roundHalfEven(Math.fround(Math.fround(pixels[(k * 3 + ch) * plane + i]! + 1) * 127.5));
      data[i * 3 + ch] = Math.min(255, Math.max(0, v));
    }
  }
  return { width: size, height: size, data };
}

export const pngOf = (rgb: RgbImage): Promise<Buffer> =>
  sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .png()
    .toBuffer();
