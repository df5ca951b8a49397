"""Per `<image>` token of every anyres view, the characters it shows: the targets of the glyph readout
(`sft/glyph_readout.py`), the object labels' counterpart for text (chart labels and values, digit rows, panels).

Each glyph drawn (`world.font.recording_glyphs`) belongs to the token holding the centre of its cell in that view;
a token's glyphs fill its slots (`glyph_slots`) in reading order (line by line, then left to right), class 0 after
them. The cells go through the views' own geometry as a label map (`anyres_views`, nearest resampling), as the
object labels do.
A token is left out (IGNORE in every slot) where what it holds cannot be named from its pixels: a glyph whose cell
is under MIN_GLYPH_HEIGHT view pixels tall (the base view of a large image shrinks small text to a blur), a glyph
a crop cuts (less than MIN_VISIBLE of its cell in this view), or more glyphs than slots.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from ..model.config import LavidaConfig
from ..model.image_processing import anyres_views
from ..model.vision import pooled_side, token_region
from ..world.font import ADVANCE, FONT, GLYPH_H, GLYPH_W, LINE_H, Glyph
from .object_labels import IGNORE

GLYPH_CLASSES = tuple(ch for ch in FONT if ch != " ")  # a glyph's class is its index + 1; 0 is "no glyph"
MIN_GLYPH_HEIGHT = 5  # view px: below it the 7 rows of a glyph have merged
MIN_VISIBLE = 0.6  # of a glyph's cell in a view; less is a glyph cut by a crop's edge


def glyph_slots(config: LavidaConfig) -> int:
    """Glyphs a token can hold at the font's tightest spacing (scale 1): per line times lines."""
    region = token_region(config)
    return math.ceil(region / ADVANCE) * math.ceil(region / LINE_H)


def glyph_labels(glyphs: list[Glyph], image_size: tuple[int, int], config: LavidaConfig) -> Tensor:
    """[views, tokens per view, glyph_slots] long: per token its glyphs' classes in reading order, 0 after them,
    IGNORE in every slot of a token left out."""
    width, height = image_size
    cells = np.zeros((height, width), dtype=np.int32)
    for index, glyph in enumerate(glyphs, start=1):
        cells[max(glyph.y, 0) : glyph.y + glyph.height, max(glyph.x, 0) : glyph.x + glyph.width] = index
    views, _ = anyres_views(Image.fromarray(cells, mode="I"), config, Image.Resampling.NEAREST, square_fill=0)
    maps = [np.asarray(view, dtype=np.int64) for view in views]
    base_area = _areas(maps[0], len(glyphs))
    crops_area = sum((_areas(m, len(glyphs)) for m in maps[1:]), np.zeros(len(glyphs) + 1))
    classes = [0] + [GLYPH_CLASSES.index(g.char) + 1 for g in glyphs]
    return torch.stack(
        [_view_labels(m, classes, base_area if i == 0 else crops_area, config) for i, m in enumerate(maps)]
    )


def _areas(ids: np.ndarray, count: int) -> np.ndarray:
    return np.bincount(ids.ravel(), minlength=count + 1).astype(np.float64)


def _view_labels(ids: np.ndarray, classes: list[int], whole_area: np.ndarray, config: LavidaConfig) -> Tensor:
    """One view's labels; `whole_area`: each glyph's cell area over this view's geometry (the base view alone, or
    all crops together, which tile one resized image)."""
    side, region, slots = pooled_side(config), token_region(config), glyph_slots(config)
    found: dict[int, list[tuple[float, float, int]]] = {}  # token -> (line, x, class) of its glyphs
    left_out: set[int] = set()
    for index in np.unique(ids):
        if index == 0:
            continue
        ys, xs = np.nonzero(ids == index)
        cy, cx = ys.mean(), xs.mean()
        row, col = int(cy // region), int(cx // region)
        if row >= side or col >= side:  # beyond the pooled grid (a floor stride-2 pool drops the last pixels)
            continue
        token = row * side + col
        cell_height = math.sqrt(whole_area[index] * GLYPH_H / GLYPH_W)
        if cell_height < MIN_GLYPH_HEIGHT or len(ys) < MIN_VISIBLE * whole_area[index]:
            left_out.add(token)
            continue
        found.setdefault(token, []).append((round(cy / cell_height), cx, classes[index]))
    labels = torch.zeros(side * side, slots, dtype=torch.long)
    for token, held in found.items():
        if len(held) > slots:
            left_out.add(token)
            continue
        labels[token, : len(held)] = torch.tensor([c for _, _, c in sorted(held)])
    labels[sorted(left_out)] = IGNORE
    return labels
