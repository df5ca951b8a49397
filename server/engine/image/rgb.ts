// An 8-bit RGB raster (interleaved, row-major) and the pixel operations Pillow's Image.new/paste/crop do.

export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array; // width * height * 3
}

export type Rgb = [number, number, number];

export function filled(width: number, height: number, colour: Rgb): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(colour, i * 3);
  return { width, height, data };
}

/** Copies `src` into `dst` with its top-left corner at (x, y); both fully overlap in every use here. */
export function paste(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    const from = row * src.width * 3;
    dst.data.set(src.data.subarray(from, from + src.width * 3), ((y + row) * dst.width + x) * 3);
  }
}

export function crop(src: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const out = filled(width, height, [0, 0, 0]);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * src.width + x) * 3;
    out.data.set(src.data.subarray(from, from + width * 3), row * width * 3);
  }
  return out;
}
