"""Exact, anti-alias-free rasterisation of flat shapes with numpy.

A pixel belongs to a shape when its centre (x + 0.5, y + 0.5) lies inside it, so masks are the same on
every machine and every Pillow version, and tight boxes and edit targets are known exactly.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .palette import RGB

Box = tuple[int, int, int, int]  # x1, y1, x2, y2 in pixels; x2/y2 exclusive (area = (x2-x1)*(y2-y1))

SHAPES: tuple[str, ...] = ("circle", "triangle", "square", "diamond", "pentagon", "hexagon")
CORNERS: dict[str, int] = {"circle": 0, "triangle": 3, "square": 4, "diamond": 4, "pentagon": 5, "hexagon": 6}


def new_canvas(width: int, height: int, colour: RGB) -> np.ndarray:
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = colour
    return canvas


def to_image(canvas: np.ndarray) -> Image.Image:
    return Image.fromarray(canvas, mode="RGB")


def _centres(shape_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    h, w = shape_hw
    ys, xs = np.mgrid[0:h, 0:w]
    return xs + 0.5, ys + 0.5


def _convex(points: list[tuple[float, float]], shape_hw: tuple[int, int]) -> np.ndarray:
    """Pixels whose centre is inside a convex polygon given clockwise in image coordinates (y down)."""
    xs, ys = _centres(shape_hw)
    inside = np.ones(shape_hw, dtype=bool)
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1]):
        inside &= (bx - ax) * (ys - ay) - (by - ay) * (xs - ax) >= -1e-9
    return inside


# Unit vertices (sin, -cos of k*360/n degrees) written out as literals: libm trig may differ in the last
# bit between machines, and a boundary pixel would flip.
_UNIT: dict[int, list[tuple[float, float]]] = {
    5: [
        (0.0, -1.0),
        (0.9510565162951535, -0.30901699437494745),
        (0.5877852522924731, 0.8090169943749475),
        (-0.5877852522924731, 0.8090169943749475),
        (-0.9510565162951535, -0.30901699437494745),
    ],
    6: [
        (0.0, -1.0),
        (0.8660254037844386, -0.5),
        (0.8660254037844386, 0.5),
        (0.0, 1.0),
        (-0.8660254037844386, 0.5),
        (-0.8660254037844386, -0.5),
    ],
}


def _regular(n: int, cx: float, cy: float, r: float, shape_hw: tuple[int, int]) -> np.ndarray:
    return _convex([(cx + r * ux, cy + r * uy) for ux, uy in _UNIT[n]], shape_hw)


def shape_mask(kind: str, x: int, y: int, w: int, h: int, shape_hw: tuple[int, int]) -> np.ndarray:
    """Mask of a shape inscribed in the rectangle (x, y, w, h) of an image of size shape_hw = (H, W)."""
    cx, cy = x + w / 2, y + h / 2
    if kind == "square":
        mask = np.zeros(shape_hw, dtype=bool)
        mask[max(y, 0) : y + h, max(x, 0) : x + w] = True
        return mask
    if kind == "circle":
        xs, ys = _centres(shape_hw)
        return ((xs - cx) / (w / 2)) ** 2 + ((ys - cy) / (h / 2)) ** 2 <= 1.0
    if kind == "triangle":
        return _convex([(cx, y), (x + w, y + h), (x, y + h)], shape_hw)
    if kind == "diamond":
        return _convex([(cx, y), (x + w, cy), (cx, y + h), (x, cy)], shape_hw)
    if kind == "pentagon":
        return _regular(5, cx, cy + h * 0.05, min(w, h) / 2, shape_hw)
    if kind == "hexagon":
        return _regular(6, cx, cy, min(w, h) / 2, shape_hw)
    raise ValueError(f"unknown shape {kind!r}")


def mask_box(mask: np.ndarray) -> Box:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        raise ValueError("empty mask")
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def fill_rect(canvas: np.ndarray, x: int, y: int, w: int, h: int, colour: RGB) -> None:
    canvas[max(y, 0) : y + h, max(x, 0) : x + w] = colour
