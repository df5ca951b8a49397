"""Bar and line charts with value labels, drawn pixel-exactly.

Values are integers in 0..99 on a fixed 0..100 axis: a bar of value v is v * plot_h // 100 pixels tall,
so its height can be read back from the image (tests do).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .font import draw_text, text_width
from .palette import INK, RGB, WHITE
from .raster import new_canvas

AXIS_MAX = 100


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    n: int

    @property
    def baseline(self) -> int:  # row of the x axis; labels go below it
        return self.height - 12

    @property
    def plot_h(self) -> int:  # tallest possible bar, leaving room for a value label above it
        return self.baseline - 12

    @property
    def slot(self) -> int:
        return (self.width - 8) // self.n

    def centre(self, i: int) -> int:
        return 4 + i * self.slot + self.slot // 2

    def bar_height(self, value: int) -> int:
        return value * self.plot_h // AXIS_MAX

    def bar_width(self) -> int:
        return max(2, self.slot * 2 // 3)


def _label(canvas: np.ndarray, cx: int, y: int, text: str) -> None:
    draw_text(canvas, cx - text_width(text) // 2, y, text, INK)


def _frame(lay: Layout, labels: list[str]) -> np.ndarray:
    canvas = new_canvas(lay.width, lay.height, WHITE)
    canvas[lay.baseline, 2 : lay.width - 2] = INK
    for i, text in enumerate(labels):
        _label(canvas, lay.centre(i), lay.baseline + 3, text)
    return canvas


def bar_chart(labels: list[str], values: list[int], width: int, height: int, colour: RGB) -> np.ndarray:
    lay = Layout(width, height, len(values))
    canvas = _frame(lay, labels)
    bw = lay.bar_width()
    for i, v in enumerate(values):
        h = lay.bar_height(v)
        x0 = lay.centre(i) - bw // 2
        canvas[lay.baseline - h : lay.baseline, x0 : x0 + bw] = colour
        _label(canvas, lay.centre(i), lay.baseline - h - 9, str(v))
    return canvas


def _line(canvas: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: RGB) -> None:
    """Bresenham: integer-only, so identical everywhere."""
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        canvas[y0, x0] = colour
        if x0 == x1 and y0 == y1:
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


def line_chart(labels: list[str], values: list[int], width: int, height: int, colour: RGB) -> np.ndarray:
    lay = Layout(width, height, len(values))
    canvas = _frame(lay, labels)
    pts = [(lay.centre(i), lay.baseline - 1 - lay.bar_height(v)) for i, v in enumerate(values)]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        _line(canvas, x0, y0, x1, y1, colour)
    for (x, y), v in zip(pts, values):
        canvas[max(y - 1, 0) : y + 2, x - 1 : x + 2] = colour
        _label(canvas, x, y - 11, str(v))
    return canvas
