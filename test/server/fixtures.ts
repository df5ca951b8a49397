// Test images, encoded by sharp (a real PNG and JPEG), and hostile inputs: a truncated PNG and a
// decompression bomb (a valid 20000 x 20000 1-bit PNG, about 50 KB).
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const SHAPES = `<svg width="96" height="64"><rect width="96" height="64" fill="white"/>
  <rect x="8" y="10" width="30" height="30" fill="red"/><circle cx="68" cy="34" r="16" fill="blue"/></svg>`;

export const shapesPng = (): Promise<Buffer> => sharp(Buffer.from(SHAPES)).png().toBuffer();
export const shapesJpeg = (): Promise<Buffer> => sharp(Buffer.from(SHAPES)).jpeg({ quality: 90 }).toBuffer();

export const dataUrl = (bytes: Uint8Array, mime = 'image/png'): string => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A complete, valid PNG of side x side black pixels (1-bit grayscale): tiny on the wire, huge decoded. */
export function pngBomb(side = 20000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, filter 0, no interlace
  const raw = Buffer.alloc((1 + Math.ceil(side / 8)) * side); // each row: filter byte 0 + zero bits
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}
