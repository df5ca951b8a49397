// Image dimensions from file headers (PNG, JPEG, GIF, BMP, WebP), to map normalized boxes to pixels
// without decoding the image.
import { open } from 'node:fs/promises';
import { UserError } from './errors.js';

export interface Size {
  width: number;
  height: number;
}

function jpegSize(b: Uint8Array, v: DataView): Size | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = v.getUint16(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: v.getUint16(i + 5), width: v.getUint16(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

/** Size from the first bytes of an image; null when the format is not recognised or the header is cut. */
export function sizeFromBytes(b: Uint8Array): Size | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ascii = (s: number, n: number): string => String.fromCharCode(...b.subarray(s, s + n));
  if (b.length >= 24 && b[0] === 0x89 && ascii(1, 3) === 'PNG') return { width: v.getUint32(16), height: v.getUint32(20) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b, v);
  if (b.length >= 10 && ascii(0, 3) === 'GIF') return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
  if (b.length >= 26 && ascii(0, 2) === 'BM') return { width: v.getInt32(18, true), height: Math.abs(v.getInt32(22, true)) };
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const kind = ascii(12, 4);
    if (kind === 'VP8 ') return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = v.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8X') {
      const w = b[24]! | (b[25]! << 8) | (b[26]! << 16);
      const h = b[27]! | (b[28]! << 8) | (b[29]! << 16);
      return { width: w + 1, height: h + 1 };
    }
  }
  return null;
}

/** Reads up to 256 KiB of the file's head (JPEG EXIF blocks can push the frame header far in). */
export async function imageSize(path: string): Promise<Size> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    throw new UserError(`image not found: ${path}`);
  }
  try {
    const buf = new Uint8Array(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const size = sizeFromBytes(buf.subarray(0, bytesRead));
    if (!size) throw new UserError(`cannot read the size of image ${path}`);
    return size;
  } finally {
    await fh.close();
  }
}
