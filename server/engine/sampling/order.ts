// The stratified unmasking order of image tokens (sampling/order.py): every 2x2, then 4x4, ... cell gets one
// position before any cell gets a second; cells in seeded random order, the position at random inside.
import { PyRandom } from './pyrandom.js';

/** A permutation of the row-major positions of a height x width grid, identical to Python's for a seed. */
export function stratifiedOrder(height: number, width: number, seed = 42): number[] {
  const rng = new PyRandom(seed);
  const chosen = new Set<number>();
  const order: number[] = [];
  let cell = 1;
  while (cell < Math.max(height, width)) cell *= 2;
  for (; cell >= 1; cell = Math.floor(cell / 2)) {
    const cells: Array<[number, number]> = [];
    for (let r = 0; r < height; r += cell) for (let c = 0; c < width; c += cell) cells.push([r, c]);
    rng.shuffle(cells);
    for (const [r0, c0] of cells) {
      const inside: number[] = [];
      for (let r = r0; r < Math.min(r0 + cell, height); r++) {
        for (let c = c0; c < Math.min(c0 + cell, width); c++) inside.push(r * width + c);
      }
      if (inside.some((p) => chosen.has(p))) continue;
      const pick = rng.choice(inside);
      chosen.add(pick);
      order.push(pick);
    }
  }
  return order;
}
