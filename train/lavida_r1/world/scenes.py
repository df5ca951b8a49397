"""Scenes of separated flat shapes (and digit rows) for the understanding families."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from .font import ADVANCE, GLYPH_H, GLYPH_W, draw_text
from .palette import INK, OBJECT_COLOURS
from .raster import Box, mask_box, new_canvas, shape_mask


@dataclass(frozen=True)
class Obj:
    shape: str
    colour: str
    x: int
    y: int
    size: int
    box: Box  # tight box of the drawn pixels
    area: int  # drawn pixel count

    @property
    def name(self) -> str:
        return f"{self.colour} {self.shape}"


def _overlaps(a: tuple[int, int, int], b: tuple[int, int, int], gap: int) -> bool:
    (ax, ay, asz), (bx, by, bsz) = a, b
    return not (ax + asz + gap <= bx or bx + bsz + gap <= ax or ay + asz + gap <= by or by + bsz + gap <= ay)


def _try_place(
    rng: random.Random, specs: list[tuple[str, str, int]], width: int, height: int, top: int, gap: int
) -> dict[int, tuple[int, int, int]] | None:
    """One sequential random arrangement, big objects first; None when an object finds no free spot."""
    spots: dict[int, tuple[int, int, int]] = {}
    for i in sorted(range(len(specs)), key=lambda i: -specs[i][2]):
        size = specs[i][2]
        for _ in range(500):
            spot = (rng.randint(2, width - size - 2), rng.randint(top + 2, height - size - 2), size)
            if not any(_overlaps(spot, s, gap) for s in spots.values()):
                spots[i] = spot
                break
        else:
            return None
    return spots


def place(
    rng: random.Random, specs: list[tuple[str, str, int]], width: int, height: int, top: int = 0, gap: int = 3
) -> list[Obj]:
    """Place (shape, colour, size) specs at random non-overlapping positions below row `top`.
    Big objects are placed first (they are the hard ones to fit); the result keeps the order of `specs`.
    A sequential arrangement can paint itself into a corner, so a failed one starts over (same rng stream,
    so scenes that fit at the first attempt are unchanged)."""
    for _ in range(100):
        spots = _try_place(rng, specs, width, height, top, gap)
        if spots is not None:
            break
    else:
        raise RuntimeError("scene too crowded; lower the object count or sizes")
    objs = []
    for i, (shape, colour, size) in enumerate(specs):
        x, y, _ = spots[i]
        mask = shape_mask(shape, x, y, size, size, (height, width))
        objs.append(Obj(shape, colour, x, y, size, mask_box(mask), int(mask.sum())))
    return objs


def render(objs: list[Obj], width: int, height: int, bg: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    canvas = new_canvas(width, height, bg)
    for o in objs:
        canvas[shape_mask(o.shape, o.x, o.y, o.size, o.size, (height, width))] = OBJECT_COLOURS[o.colour]
    return canvas


def label_map(objs: list[Obj], width: int, height: int) -> np.ndarray:
    """[height, width] uint8: 0 on the background, i + 1 on the pixels `render` paints for objs[i]."""
    if len(objs) > 255:
        raise ValueError("a label map holds at most 255 objects")
    labels = np.zeros((height, width), dtype=np.uint8)
    for i, o in enumerate(objs):
        labels[shape_mask(o.shape, o.x, o.y, o.size, o.size, (height, width))] = i + 1
    return labels


def digit_row(rng: random.Random, digits: list[int], width: int, height: int, scale: int = 3) -> np.ndarray:
    """Digits left to right with a little vertical jitter, in reading order."""
    canvas = new_canvas(width, height, (255, 255, 255))
    step = (width - 8) // len(digits)
    gw, gh = GLYPH_W * scale, GLYPH_H * scale
    for i, d in enumerate(digits):
        x = 4 + i * step + (step - gw) // 2
        y = rng.randint(4, height - gh - 4)
        draw_text(canvas, x, y, str(d), INK, scale)
    return canvas


def digit_scale(count: int, width: int) -> int:
    """Largest scale (at most 3) at which `count` digits fit side by side."""
    for scale in (3, 2, 1):
        if count * (ADVANCE * scale + 2) <= width - 8:
            return scale
    raise ValueError("too many digits for the width")
