// Image preprocessing for the understanding path and edits, matching lavida_r1/model/image_processing.py
// bit for bit: sharp decodes (EXIF orientation applied, pixel and aspect-ratio limits enforced), everything after
// that (alpha flattening, Pillow's bicubic resize, padding, crops, normalisation) is done here on the RGB buffer.
import sharp from 'sharp';
import type { ModelConfig } from '../package/model-config.js';
import { anyresResolution } from './anyres.js';
import { ImageError, requireImageMime, type ImageMime } from './mime.js';
import { resizeBicubic } from './resample.js';
import { filled, paste, type RgbImage } from './rgb.js';
import { resizeSquare } from './square.js';

// Every request brings a new image, so libvips' operation cache (on by default, ~50 MB) never hits and only
// holds memory.
sharp.cache(false);

export const DEFAULT_MAX_PIXELS = 40_000_000;
/** Longer side / shorter side above this is refused: such an image is a line or less in the padded base view. */
export const DEFAULT_MAX_ASPECT_RATIO = 50;

export interface DecodeOptions {
  maxPixels?: number; // decoded width*height above this is refused (decompression bombs)
  maxAspectRatio?: number; // longer side / shorter side above this is refused
  allowed?: readonly ImageMime[];
}

/** Bytes → RGB with EXIF orientation applied and alpha flattened onto white (Python's to_rgb). */
export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<RgbImage> {
  requireImageMime(bytes, opts.allowed);
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const decode = () =>
    sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  let raw: Awaited<ReturnType<typeof decode>>;
  try {
    raw = await decode();
  } catch (e) {
    const message = (e as Error).message;
    if (/pixel limit/i.test(message)) {
      throw new ImageError(`image has more than ${maxPixels} pixels`, 'too_many_pixels');
    }
    throw new ImageError(`image could not be decoded: ${message}`, 'undecodable');
  }
  const { width, height, channels } = raw.info;
  const maxRatio = opts.maxAspectRatio ?? DEFAULT_MAX_ASPECT_RATIO;
  if (Math.max(width, height) > maxRatio * Math.min(width, height)) {
    throw new ImageError(
      `image of ${width}x${height} pixels: the aspect ratio is over ${maxRatio}:1`,
      'bad_aspect_ratio',
    );
  }
  if (channels === 3) return { width, height, data: new Uint8Array(raw.data) };
  if (channels === 4) return flattenOnWhite(width, height, raw.data);
  throw new ImageError(`unexpected ${channels}-channel image after conversion to sRGB`, 'undecodable');
}

/** Pillow's alpha_composite of RGBA over opaque white, with its integer rounding (AlphaComposite.c). */
export function flattenOnWhite(width: number, height: number, rgba: Uint8Array): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const div255 = (v: number): number => ((v >>> 8) + v) >>> 8;
  for (let i = 0; i < width * height; i++) {
    const a = rgba[i * 4 + 3]!;
    for (let ch = 0; ch < 3; ch++) {
      // over an opaque background the coefficients reduce to a * 128 and (255 - a) * 128
      const v = a === 0 ? 255 : rgba[i * 4 + ch]! * a * 128 + 255 * (255 - a) * 128;
      data[i * 3 + ch] = a === 0 ? 255 : div255(v + (0x80 << 7)) >>> 7;
    }
  }
  return { width, height, data };
}

/** Fit inside (targetW, targetH) keeping the aspect ratio (bicubic), centred on black. */
export function resizeAndPad(img: RgbImage, targetW: number, targetH: number): RgbImage {
  let newW: number;
  let newH: number;
  if (targetW / img.width < targetH / img.height) {
    [newW, newH] = [targetW, Math.min(Math.ceil((img.height * targetW) / img.width), targetH)];
  } else {
    [newH, newW] = [targetH, Math.min(Math.ceil((img.width * targetH) / img.height), targetW)];
  }
  const canvas = filled(targetW, targetH, [0, 0, 0]);
  paste(canvas, resizeBicubic(img, newW, newH), Math.floor((targetW - newW) / 2), Math.floor((targetH - newH) / 2));
  return canvas;
}

/** SigLIP normalisation (x / 255 - 0.5) / 0.5 in float32 of each 8-bit value, each float32 op rounded like numpy's
 *  (a double result rounded once to float32 is exact here). */
const SIGLIP = Float32Array.from({ length: 256 }, (_, v) => Math.fround(Math.fround(Math.fround(v / 255) - 0.5) / 0.5));

/** The size x size region of `img` at (x, y), normalised (SIGLIP), CHW, written into `out` at `offset`. */
function normalizeInto(img: RgbImage, x: number, y: number, size: number, out: Float32Array, offset: number): void {
  const plane = size * size;
  for (let row = 0; row < size; row++) {
    const from = ((y + row) * img.width + x) * 3;
    const to = offset + row * size;
    for (let col = 0; col < size; col++) {
      const at = from + col * 3;
      out[to + col] = SIGLIP[img.data[at]!]!;
      out[to + plane + col] = SIGLIP[img.data[at + 1]!]!;
      out[to + 2 * plane + col] = SIGLIP[img.data[at + 2]!]!;
    }
  }
}

/** What the vision graph needs of an anyres image. */
export interface AnyresInput {
  pixelValues: Float32Array; // [1 + cols*rows, 3, S, S], base view first, crops row-major
  grid: [number, number]; // (cols, rows)
  originalSize: [number, number]; // (width, height) after EXIF orientation
}

/** Anyres crops + base view of a decoded image (Python's process_anyres), each view normalised straight from the
 *  base view or the padded image into the vision input (no crop is copied out). */
export function processAnyres(img: RgbImage, c: ModelConfig): AnyresInput {
  const size = c.vision.image_size;
  const [targetW, targetH] = anyresResolution(c, img.width, img.height);
  const padded = resizeAndPad(img, targetW, targetH);
  const cols = Math.floor(targetW / size);
  const rows = Math.floor(targetH / size);
  const view = 3 * size * size;
  const pixelValues = new Float32Array((1 + cols * rows) * view);
  normalizeInto(resizeSquare(img, size), 0, 0, size, pixelValues, 0);
  for (let r = 0; r < rows; r++)
    for (let col = 0; col < cols; col++)
      normalizeInto(padded, col * size, r * size, size, pixelValues, (1 + r * cols + col) * view);
  return { pixelValues, grid: [cols, rows], originalSize: [img.width, img.height] };
}

/** An edit source or target: padded to a square (mean colour) and resized to the VQ resolution. */
export const processSquare = (img: RgbImage, size: number): RgbImage => resizeSquare(img, size);

/** VQ-VAE input x / 127.5 - 1 in float32, CHW (lavida_r1/data/examples.py image_to_vq). */
export function vqPixels(img: RgbImage): Float32Array {
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let ch = 0; ch < 3; ch++) out[ch * plane + i] = Math.fround(Math.fround(img.data[i * 3 + ch]! / 127.5) - 1);
  }
  return out;
}
