"""Edit scenes: a flat background and at most one object per quadrant, all on the VQ grid.

A small object is a quarter of the image side, centred in its quadrant (offset side/8); a large object
fills its quadrant. With the default 64 px image and 8 px grid both sit exactly on grid cells.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .palette import BACKGROUNDS, OBJECT_COLOURS
from .raster import new_canvas, shape_mask

QUADRANTS = ("top-left", "top-right", "bottom-left", "bottom-right")
EDIT_SHAPES = ("circle", "square", "triangle", "diamond")
EDIT_COLOURS = ("red", "green", "blue", "yellow", "purple", "orange", "black")


@dataclass(frozen=True)
class EditObj:
    shape: str
    colour: str
    large: bool = False

    @property
    def name(self) -> str:
        return f"{self.colour} {self.shape}"

    @property
    def size_word(self) -> str:
        return "large" if self.large else "small"


@dataclass(frozen=True)
class EditScene:
    background: str
    slots: tuple[EditObj | None, ...]  # one per quadrant, in QUADRANTS order

    def where(self, name: str) -> int:
        return next(i for i, o in enumerate(self.slots) if o is not None and o.name == name)

    def with_slot(self, quadrant: int, obj: EditObj | None) -> EditScene:
        slots = list(self.slots)
        slots[quadrant] = obj
        return replace(self, slots=tuple(slots))

    def objects(self) -> list[tuple[int, EditObj]]:
        return [(i, o) for i, o in enumerate(self.slots) if o is not None]


def object_rect(quadrant: int, large: bool, side: int) -> tuple[int, int, int]:
    """x, y, size of an object's square in the image."""
    half = side // 2
    qx, qy = (quadrant % 2) * half, (quadrant // 2) * half
    if large:
        return qx, qy, half
    return qx + side // 8, qy + side // 8, side // 4


def object_mask(quadrant: int, obj: EditObj, side: int) -> np.ndarray:
    x, y, size = object_rect(quadrant, obj.large, side)
    return shape_mask(obj.shape, x, y, size, size, (side, side))


def render_scene(scene: EditScene, side: int) -> np.ndarray:
    canvas = new_canvas(side, side, BACKGROUNDS[scene.background])
    for q, obj in scene.objects():
        canvas[object_mask(q, obj, side)] = OBJECT_COLOURS[obj.colour]
    return canvas


# Two pixels "look the same" when no channel differs by more than this. Edits must change at least
# MIN_CHANGED_PIXELS pixels by more than it, and the oracle judge uses it as its match tolerance.
VISIBLE_DIFF = 48
MIN_CHANGED_PIXELS = 16


def changed_mask(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > VISIBLE_DIFF
