// Test images, encoded by sharp (a real PNG and JPEG), and hostile inputs: a truncated PNG and a
// decompression bomb (a valid 20000 x 20000 1-bit PNG, about 50 KB).
import sharp from 'sharp';
import { greyPng } from '../png.js';

const SHAPES = `<svg width="96" height="64"><rect width="96" height="64" fill="white"/>
  <rect x="8" y="10" width="30" height="30" fill="red"/><circle cx="68" cy="34" r="16" fill="blue"/></svg>`;

export const shapesPng = (): Promise<Buffer> => sharp(Buffer.from(SHAPES)).png().toBuffer();
export const shapesJpeg = (): Promise<Buffer> => sharp(Buffer.from(SHAPES)).jpeg({ quality: 90 }).toBuffer();

export const dataUrl = (bytes: Uint8Array, mime = 'image/png'): string => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

/** A complete, valid PNG of side x side black pixels (1-bit grayscale): tiny on the wire, huge decoded. */
export const pngBomb = (side = 20000): Buffer => greyPng(side, side, 1, 0);
