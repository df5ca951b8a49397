// Image type sniffing from the first bytes (never trusting a declared Content-Type), with clear errors.

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/tiff';

export class ImageError extends Error {
  constructor(
    message: string,
    readonly code: 'unsupported_type' | 'too_many_pixels' | 'bad_aspect_ratio' | 'undecodable',
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string): number[] => Array.from(s, (ch) => ch.charCodeAt(0));

/** The image type of `bytes`, or null when it is none of the supported formats. */
export function sniffImageMime(bytes: Uint8Array): ImageMime | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return null;
}

/** The sniffed type, or an ImageError naming what was found. */
export function requireImageMime(
  bytes: Uint8Array,
  allowed: readonly ImageMime[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
): ImageMime {
  const mime = sniffImageMime(bytes);
  if (mime === null) {
    const head = Buffer.from(bytes.subarray(0, 8)).toString('hex');
    throw new ImageError(
      `not a supported image (first bytes ${head || 'none'}); send ${allowed.join(', ')}`,
      'unsupported_type',
    );
  }
  if (!allowed.includes(mime))
    throw new ImageError(`${mime} is not accepted; send ${allowed.join(', ')}`, 'unsupported_type');
  return mime;
}
