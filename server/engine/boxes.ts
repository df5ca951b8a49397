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

/** LOC bins → (x1, y1, x2, y2) in original-image pixels, clipped to the image. */
export function binsToBox(bins: ArrayLike<number>, width: number, height: number, numBins = NUM_LOC_BINS): Box {
  const [side, offX, offY] = squareOffsets(width, height);
  const scale = side / (numBins - 1);
  const [x1, y1, x2, y2] = Array.from(bins, (b) => b * scale) as Box;
  return [clip(x1 - offX, width), clip(y1 - offY, height), clip(x2 - offX, width), clip(y2 - offY, height)];
}

/** (x1, y1, x2, y2) in original-image pixels → LOC bins. */
export function boxToBins(box: Box, width: number, height: number, numBins = NUM_LOC_BINS): Box {
  const [side, offX, offY] = squareOffsets(width, height);
  const offsets = [offX, offY, offX, offY];
  return box.map((v, i) => clip(roundHalfEven(((v + offsets[i]!) / side) * (numBins - 1)), numBins - 1)) as Box;
}

