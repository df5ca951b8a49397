// Request images: inline strings (data URL or bare base64) to bytes, and bytes to a prepared image under the
// pixel and aspect-ratio limits, on the engine's image threads. The declared type is never trusted: the bytes
// are sniffed.
import type { AppContext } from './context.js';
import type { PreparedImage } from './engine/index.js';
import { HttpProblem } from './problem.js';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of a `data:image/...;base64,` URL or of bare base64; `field` names it in errors. */
export function inlineImageBytes(value: string, field: string): Uint8Array {
  if (/^https?:\/\//i.test(value)) {
    throw new HttpProblem('invalid-request', `${field}: image URLs are not fetched; send a data: URL or base64`);
  }
  let payload = value;
  const m = DATA_URL.exec(value);
  if (m) {
    if (!m[2]!.split(';').includes('base64'))
      throw new HttpProblem('invalid-request', `${field}: the data URL must be base64-encoded`);
    if (m[1] && !m[1].startsWith('image/'))
      throw new HttpProblem('unsupported-image-type', `${field}: a data URL of type ${m[1]} is not an image`);
    payload = value.slice(m[0].length);
  } else if (value.startsWith('data:')) {
    throw new HttpProblem('invalid-request', `${field}: malformed data URL`);
  }
  if (!BASE64.test(payload) || payload.length === 0) {
    throw new HttpProblem('invalid-request', `${field}: not valid base64`);
  }
  return Buffer.from(payload, 'base64');
}

export interface DecodedImage {
  image: PreparedImage;
  decodeMs: number;
}

/** The bytes decoded (sniffed type, EXIF orientation, alpha on white) and prepared for the model, off the event
 *  loop; ImageError maps to 413/415/422. `edit`: also the VQ input of an edit. */
export async function decodeRequestImage(ctx: AppContext, bytes: Uint8Array, edit = false): Promise<DecodedImage> {
  const t0 = performance.now();
  const { maxPixels, maxAspectRatio } = ctx.config;
  const image = await ctx.engine.prepareImage(bytes, { maxPixels, maxAspectRatio, edit });
  return { image, decodeMs: performance.now() - t0 };
}

/** The request's image bytes: the multipart upload, else the inline `image` field. */
export function requestImageBytes(file: Express.Multer.File | undefined, inline: string | undefined): Uint8Array {
  if (file) return file.buffer;
  if (inline === undefined) throw new HttpProblem('invalid-request', 'image is required');
  return inlineImageBytes(inline, 'image');
}
