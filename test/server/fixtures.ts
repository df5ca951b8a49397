// Test images, encoded by sharp (a real PNG and JPEG), and hostile inputs: a truncated PNG and decompression
// bombs (a valid 20000 x 20000 1-bit PNG, about 50 KB; a 40-byte GIF that claims 65535 x 65535 pixels).
import sharp from 'sharp';
import { greyPng } from '../png.js';

const SHAPES = `<svg width="96" height="64"><rect width="96" height="64" fill="white"/>
  <rect x="8" y="10" width="30" height="30" fill="red"/><circle cx="68" cy="34" r="16" fill="blue"/></svg>`;

export const shapesPng = (): Promise<Buffer> => sharp(Buffer.from(SHAPES)).png().toBuffer();
export const shapesJpeg = (): Promise<Buffer> => sharp(Buffer.from(SHAPES)).jpeg({ quality: 90 }).toBuffer();

export const dataUrl = (bytes: Uint8Array, mime = 'image/png'): string =>
  `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

/** A complete, valid PNG of side x side black pixels (1-bit grayscale): tiny on the wire, huge decoded. */
export const pngBomb = (side = 20000): Buffer => greyPng(side, side, 1, 0);

/** A GIF whose screen and one image claim 65535 x 65535 pixels, with a single pixel of data. */
export const gifBomb = (): Buffer =>
  Buffer.concat([
    Buffer.from('GIF89a'),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0]), // screen 65535 x 65535, no colour table
    Buffer.from([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0]), // image descriptor: at 0,0, 65535 x 65535
    Buffer.from([2, 2, 0x4c, 0x01, 0]),
    Buffer.from([0x3b]), // LZW min code size 2, one data block, trailer
  ]);
