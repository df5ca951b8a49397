// An 8-bit RGB raster (interleaved, row-major) and the pixel operations Pillow's Image.new/paste do.

export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array; // width * height * 3
}

export type Rgb = [number, number, number];

export function filled(width: number, height: number, colour: Rgb): RgbImage {
  const data = new Uint8Array(width * height * 3); // black already
  if (data.length && colour.some((v) => v !== 0)) {
    data.set(colour);
    // doubling copies: the filled prefix is copied after itself until the raster is full
    for (let n = 3; n < data.length; n *= 2) data.copyWithin(n, 0, Math.min(n, data.length - n));
  }
  return { width, height, data };
}

/** Copies `src` into `dst` with its top-left corner at (x, y); both fully overlap in every use here. */
export function paste(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    const from = row * src.width * 3;
    dst.data.set(src.data.subarray(from, from + src.width * 3), ((y + row) * dst.width + x) * 3);
  }
}
