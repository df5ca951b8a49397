// Pad-to-square then Pillow bicubic resize (expand2square + resize in lavida_r1/model/image_processing.py)
// without the side x side canvas: memory and time follow the image, not its longer side squared. The padding's
// share of an output pixel is its colour times the sum of the weights that fall on it; the sums are integers
// (fixed-point weights), so the result is bit-identical to resizeBicubic(expandToSquare(img, fill), size, size).
import { clip8, coefficients, HALF, type Coefficients } from './resample.js';
import { filled, paste, type Rgb, type RgbImage } from './rgb.js';

/** expand2square's background: the normalisation mean (0.5) as an 8-bit colour, int(0.5 * 255). */
export const SQUARE_FILL: Rgb = [127, 127, 127];

/** Pad to a square, image centred (the grounding and base-view convention); only for small images. */
export function expandToSquare(img: RgbImage, fill: Rgb = SQUARE_FILL): RgbImage {
  const side = Math.max(img.width, img.height);
  const canvas = filled(side, side, fill);
  paste(canvas, img, Math.floor((side - img.width) / 2), Math.floor((side - img.height) / 2));
  return canvas;
}

/** For each output index: the taps that fall inside [start, start + length) and the weight of the rest. */
interface Split {
  lo: Int32Array; // first tap inside
  hi: Int32Array; // one past the last tap inside
  padWeight: Float64Array; // sum of the weights of the taps outside
}

function split(c: Coefficients, outSize: number, start: number, length: number): Split {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const padWeight = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const min = c.bounds[o * 2]!;
    const n = c.bounds[o * 2 + 1]!;
    lo[o] = Math.min(Math.max(start - min, 0), n);
    hi[o] = Math.max(Math.min(start + length - min, n), lo[o]!);
    for (let i = 0; i < n; i++) if (i < lo[o]! || i >= hi[o]!) padWeight[o]! += c.weights[o * c.ksize + i]!;
  }
  return { lo, hi, padWeight };
}

/** resizeBicubic(expandToSquare(img, fill), size, size), computed from the image alone. */
export function resizeSquare(img: RgbImage, size: number, fill: Rgb = SQUARE_FILL): RgbImage {
  const side = Math.max(img.width, img.height);
  // Without resizing, Pillow returns the canvas itself, which is then small (side = size).
  if (side === size) return expandToSquare(img, fill);
  const { width: w, height: h } = img;
  const x0 = Math.floor((side - w) / 2);
  const y0 = Math.floor((side - h) / 2);
  const c = coefficients(side, size);
  // A square to a square always runs the horizontal pass first (resizeBicubic's order rule).
  const sx = split(c, size, x0, w);
  const rows = new Uint8Array(size * h * 3); // the horizontal pass over the image's rows
  const src = img.data;
  const { weights, ksize } = c;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < size; x++) {
      const pad = sx.padWeight[x]!;
      // the three channels at once; every sum is of integers below 2^53, so exact in any order
      let r = HALF + fill[0] * pad;
      let g = HALF + fill[1] * pad;
      let b = HALF + fill[2] * pad;
      let at = (y * w + c.bounds[x * 2]! - x0 + sx.lo[x]!) * 3;
      for (let i = sx.lo[x]!, k = x * ksize + i; i < sx.hi[x]!; i++, k++, at += 3) {
        const wt = weights[k]!;
        r += src[at]! * wt;
        g += src[at + 1]! * wt;
        b += src[at + 2]! * wt;
      }
      const o = (y * size + x) * 3;
      rows[o] = clip8(r);
      rows[o + 1] = clip8(g);
      rows[o + 2] = clip8(b);
    }
  }
  const padRow = new Uint8Array(size * 3); // the horizontal pass over any row of padding
  for (let x = 0; x < size; x++) {
    let total = 0;
    for (let i = 0; i < c.bounds[x * 2 + 1]!; i++) total += c.weights[x * c.ksize + i]!;
    for (let ch = 0; ch < 3; ch++) padRow[x * 3 + ch] = clip8(HALF + fill[ch]! * total);
  }
  const sy = split(c, size, y0, h);
  const data = new Uint8Array(size * size * 3);
  const stride = size * 3;
  for (let y = 0; y < size; y++) {
    const pad = sy.padWeight[y]!;
    const first = (c.bounds[y * 2]! - y0 + sy.lo[y]!) * stride;
    for (let x = 0; x < size; x++) {
      let r = HALF + padRow[x * 3]! * pad;
      let g = HALF + padRow[x * 3 + 1]! * pad;
      let b = HALF + padRow[x * 3 + 2]! * pad;
      let at = first + x * 3;
      for (let i = sy.lo[y]!, k = y * ksize + i; i < sy.hi[y]!; i++, k++, at += stride) {
        const wt = weights[k]!;
        r += rows[at]! * wt;
        g += rows[at + 1]! * wt;
        b += rows[at + 2]! * wt;
      }
      const o = (y * size + x) * 3;
      data[o] = clip8(r);
      data[o + 1] = clip8(g);
      data[o + 2] = clip8(b);
    }
  }
  return { width: size, height: size, data };
}
