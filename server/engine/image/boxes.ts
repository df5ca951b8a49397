// LOC bins <-> pixel boxes (LaViDa-O grounding), as lavida_r1/boxes.py: 1025 levels over the image padded to a
// square (image centred), bin = round(coord_on_square / side * 1024), rounding half to even like Python.

export const NUM_LOC_BINS = 1025;
export type Box = [number, number, number, number];

/** Python's round(x) for a float: nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for doubles
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function squareOffsets(width: number, height: number): [number, number, number] {
  const side = Math.max(width, height);
  return [side, Math.floor((side - width) / 2), Math.floor((side - height) / 2)];
}

const clip = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);

/** A bin's coordinate on the image (before clipping). */
const pixel = (b: number, side: number, offset: number, numBins: number): number => b * (side / (numBins - 1)) - offset;

/** LOC bins → (x1, y1, x2, y2) in original-image pixels, clipped to the image. */
export function binsToBox(bins: ArrayLike<number>, width: number, height: number, numBins = NUM_LOC_BINS): Box {
  const [side, offX, offY] = squareOffsets(width, height);
  return Array.from(bins, (b, i) => clip(pixel(b, side, i % 2 ? offY : offX, numBins), i % 2 ? height : width)) as Box;
}

/** Inclusive bin range per slot x1, y1, x2, y2 that keeps the box valid in pixels (boxes.py box_bin_ranges):
 *  with x1 < x2 in bins, x2 > x1 after clipping exactly when x1 maps left of the image's right edge (x1 up to
 *  the largest bin of 0..numBins-2 whose coordinate is < width) and x2 right of its left edge (from the smallest
 *  bin of 1..numBins-1 whose coordinate is > 0); the same for y. */
export function boxBinRanges(width: number, height: number, numBins = NUM_LOC_BINS): [number, number][] {
  const [side, offX, offY] = squareOffsets(width, height);
  const last = (o: number, extent: number): number => {
    let b = numBins - 2;
    while (pixel(b, side, o, numBins) >= extent) b--;
    return b;
  };
  const first = (o: number): number => {
    let b = 1;
    while (pixel(b, side, o, numBins) <= 0) b++;
    return b;
  };
  return [
    [0, last(offX, width)],
    [0, last(offY, height)],
    [first(offX), numBins - 1],
    [first(offY), numBins - 1],
  ];
}

/** (x1, y1, x2, y2) in original-image pixels → LOC bins. */
export function boxToBins(box: Box, width: number, height: number, numBins = NUM_LOC_BINS): Box {
  const [side, offX, offY] = squareOffsets(width, height);
  const offsets = [offX, offY, offX, offY];
  return box.map((v, i) => clip(roundHalfEven(((v + offsets[i]!) / side) * (numBins - 1)), numBins - 1)) as Box;
}
