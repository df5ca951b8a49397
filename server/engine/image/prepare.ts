// A request image as the pipelines consume it: its size, the anyres views as vision input and, for edits, the
// VQ encoder's input. The server prepares it off the event loop (image-pool.ts); tests and tools may hand the
// pipelines a decoded RgbImage, prepared on the calling thread.
import type { ModelConfig } from '../package/model-config.js';
import { processAnyres, processSquare, vqPixels, type AnyresInput } from './preprocess.js';
import type { RgbImage } from './rgb.js';

export interface PreparedImage {
  width: number; // after EXIF orientation
  height: number;
  anyres: AnyresInput;
  vq?: Float32Array; // prepared for an edit: the square source image as VQ-VAE input
}

export type JobImage = RgbImage | PreparedImage;

export function prepareImage(img: RgbImage, c: ModelConfig, edit: boolean): PreparedImage {
  const { pixelValues, grid, originalSize } = processAnyres(img, c);
  const vq = edit ? vqPixels(processSquare(img, c.vq.image_size)) : undefined;
  return { width: img.width, height: img.height, anyres: { pixelValues, grid, originalSize }, vq };
}

const isPrepared = (x: JobImage): x is PreparedImage => 'anyres' in x;

export const anyresOf = (x: JobImage, c: ModelConfig): AnyresInput => (isPrepared(x) ? x.anyres : processAnyres(x, c));

export function vqInputOf(x: JobImage, c: ModelConfig): Float32Array {
  if (!isPrepared(x)) return vqPixels(processSquare(x, c.vq.image_size));
  if (!x.vq) throw new Error('an edit needs an image prepared for editing');
  return x.vq;
}
