// Several images → one, for a server that takes one image per request (MMMU-Pro standard items with
// image_1…image_7). The panels keep their aspect ratio at one common height, in reading order: one row for up
// to three images, else a grid of ceil(sqrt(n)) columns; a white gap between panels; the whole capped in size.
import sharp, { type OutputInfo } from 'sharp';

/** White space between panels, in pixels. */
export const GAP = 8;
/** Longest side of the composed image; larger layouts are scaled down as a whole (the gap stays). */
export const MAX_SIDE = 2048;
/** Decoded pixels per source image (as the server's default: decompression bombs). */
const MAX_INPUT_PIXELS = 40_000_000;
const WHITE = { r: 255, g: 255, b: 255 };

export interface Size {
  width: number;
  height: number;
}

export interface Panel extends Size {
  left: number;
  top: number;
}

export interface Layout extends Size {
  /** One per source image, in the given order. */
  panels: Panel[];
}

/** Columns of the grid: one row up to three images, then ceil(sqrt(n)) (4 → 2×2, 5–6 → 3×2, 7 → 3×3). */
export const columnsFor = (n: number): number => (n <= 3 ? n : Math.ceil(Math.sqrt(n)));

/**
 * Where each image goes: all at one height h (the tallest source's, lowered until the layout fits in
 * maxSide × maxSide), widths from their aspect ratios, rows left-aligned, row-major order.
 */
export function layoutImages(sizes: Size[], gap = GAP, maxSide = MAX_SIDE): Layout {
  if (sizes.length === 0) throw new Error('nothing to compose');
  for (const s of sizes) if (!(s.width >= 1 && s.height >= 1)) throw new Error(`bad image size ${s.width}x${s.height}`);
  const cols = columnsFor(sizes.length);
  const rows: Size[][] = [];
  for (let i = 0; i < sizes.length; i += cols) rows.push(sizes.slice(i, i + cols));
  let h = Math.max(...sizes.map((s) => s.height));
  h = Math.min(h, Math.floor((maxSide - gap * (rows.length - 1)) / rows.length));
  for (const row of rows) {
    // a width rounds up by at most 1/2, so h * aspect + k/2 + gaps ≤ maxSide keeps every row inside
    const aspect = row.reduce((a, s) => a + s.width / s.height, 0);
    h = Math.min(h, Math.floor((maxSide - gap * (row.length - 1) - row.length / 2) / aspect));
  }
  h = Math.max(1, h);
  const panels: Panel[] = [];
  let width = 0;
  rows.forEach((row, r) => {
    let left = 0;
    for (const s of row) {
      const w = Math.max(1, Math.round((s.width * h) / s.height));
      panels.push({ left, top: r * (h + gap), width: w, height: h });
      left += w + gap;
    }
    width = Math.max(width, left - gap);
  });
  return { width, height: rows.length * h + gap * (rows.length - 1), panels };
}

/** Decoded as the server decodes (EXIF orientation applied), alpha flattened onto white, 8-bit sRGB. */
async function decode(bytes: Uint8Array, which: string): Promise<{ data: Buffer; size: Size }> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .autoOrient()
      .flatten({ background: WHITE })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`${which} could not be decoded: ${(e as Error).message}`);
  }
  const { data, info } = out;
  if (info.channels !== 3) throw new Error(`${which}: ${info.channels} channels after conversion to sRGB`);
  return { data, size: { width: info.width, height: info.height } };
}

/** The images composed into one PNG (see layoutImages), with the layout used. */
export async function composeImages(
  images: Uint8Array[],
  gap = GAP,
  maxSide = MAX_SIDE,
): Promise<{ png: Buffer; layout: Layout }> {
  const decoded = await Promise.all(images.map((b, i) => decode(b, `image ${i + 1} of ${images.length}`)));
  const layout = layoutImages(
    decoded.map((d) => d.size),
    gap,
    maxSide,
  );
  const canvas = Buffer.alloc(layout.width * layout.height * 3, 255); // white
  await Promise.all(
    decoded.map(async (d, i) => {
      const p = layout.panels[i]!;
      const raw = { width: d.size.width, height: d.size.height, channels: 3 as const };
      const pixels =
        d.size.width === p.width && d.size.height === p.height
          ? d.data
          : await sharp(d.data, { raw }).resize(p.width, p.height, { fit: 'fill' }).raw().toBuffer();
      for (let y = 0; y < p.height; y++) {
        pixels.copy(canvas, ((p.top + y) * layout.width + p.left) * 3, y * p.width * 3, (y + 1) * p.width * 3);
      }
    }),
  );
  const png = await sharp(canvas, { raw: { width: layout.width, height: layout.height, channels: 3 } })
    .png()
    .toBuffer();
  return { png, layout };
}
