// Pillow's BICUBIC resize of 8-bit RGB, bit for bit (libImaging/Resample.c): a separable cubic convolution
// (a = -0.5, support 2 widened by the downscale factor), weights normalised to sum 1 and then quantised to
// 22-bit fixed point, two 1-D passes through an 8-bit intermediate (order as Pillow 13 picks it).
import type { RgbImage } from './rgb.js';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
export const HALF = 2 ** (PRECISION_BITS - 1);

function bicubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

export interface Coefficients {
  ksize: number;
  bounds: Int32Array; // per output pixel: first input index, count
  weights: Int32Array; // [outSize * ksize] fixed-point weights
}

export function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bicubic((x + xmin - center + 0.5) * ss);
      sum += k[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x]! / sum : k[x]!;
      // C's (int) cast truncates: rounds half away from zero here
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

export const clip8 = (v: number): number => Math.min(Math.max(Math.floor(v / ONE), 0), 255);

/** One 1-D pass along `axis` of an interleaved RGB buffer (the three channels at once: every sum is of integers
 *  below 2^53, so exact in any order). */
function pass(src: RgbImage, outSize: number, axis: 'x' | 'y', c: Coefficients, offset = 0): RgbImage {
  const width = axis === 'x' ? outSize : src.width;
  const height = axis === 'y' ? outSize : src.height;
  const data = new Uint8Array(width * height * 3);
  const { weights, ksize } = c;
  const step = axis === 'x' ? 3 : src.width * 3; // from one tap to the next in src
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = axis === 'x' ? x : y;
      const min = c.bounds[o * 2]! + (axis === 'y' ? offset : 0);
      const n = c.bounds[o * 2 + 1]!;
      let at = axis === 'x' ? (y * src.width + min) * 3 : (min * src.width + x) * 3;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0, k = o * ksize; i < n; i++, k++, at += step) {
        const wt = weights[k]!;
        r += src.data[at]! * wt;
        g += src.data[at + 1]! * wt;
        b += src.data[at + 2]! * wt;
      }
      const out = (y * width + x) * 3;
      data[out] = clip8(r);
      data[out + 1] = clip8(g);
      data[out + 2] = clip8(b);
    }
  }
  return { width, height, data };
}

/** Image.resize((width, height), Image.Resampling.BICUBIC) for an RGB image. */
export function resizeBicubic(img: RgbImage, width: number, height: number): RgbImage {
  const needX = width !== img.width;
  const needY = height !== img.height;
  const cx = coefficients(img.width, width);
  const cy = coefficients(img.height, height);
  if (needX && height < img.height && 2 * (img.width - width) < img.height - height) {
    // Pillow 13 runs the vertical pass first when the height shrinks much more than the width (measured
    // boundary: strict <); the 8-bit intermediate makes the order visible in the output.
    return pass(pass(img, height, 'y', cy), width, 'x', cx);
  }
  if (needX) {
    // The horizontal pass only computes the rows the vertical pass will read, as Pillow does.
    const first = needY ? cy.bounds[0]! : 0;
    const last = needY ? cy.bounds[height * 2 - 2]! + cy.bounds[height * 2 - 1]! : img.height;
    const rows = {
      width: img.width,
      height: last - first,
      data: img.data.subarray(first * img.width * 3, last * img.width * 3),
    };
    const out = pass(rows, width, 'x', cx);
    return needY ? pass(out, height, 'y', cy, -first) : out;
  }
  return needY ? pass(img, height, 'y', cy) : { width, height, data: img.data.slice() };
}
