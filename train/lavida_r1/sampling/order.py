"""The stratified unmasking order of image tokens (LaViDa-O's `stratified` confidence policy).

Progressive, multi-jittered in spirit: the grid is split into 2x2 quadrants, then into 4x4 cells, and so on;
at each level every cell that holds no chosen position yet receives one, picked at random inside it, cells
visited in random order. Early steps therefore cover the whole image evenly. Deterministic for a seed.
"""

from __future__ import annotations

import random


def stratified_order(height: int, width: int, seed: int = 42) -> list[int]:
    """A permutation of the row-major positions of a height x width grid."""
    rng = random.Random(seed)
    chosen: set[int] = set()
    order: list[int] = []
    cell = 1
    while cell < max(height, width):
        cell *= 2
    while cell >= 1:
        cells = [(r, c) for r in range(0, height, cell) for c in range(0, width, cell)]
        rng.shuffle(cells)
        for r0, c0 in cells:
            inside = [
                r * width + c for r in range(r0, min(r0 + cell, height)) for c in range(c0, min(c0 + cell, width))
            ]
            if any(p in chosen for p in inside):
                continue
            pick = rng.choice(inside)
            chosen.add(pick)
            order.append(pick)
        cell //= 2
    return order
