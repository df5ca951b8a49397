"""Per `<image>` token of every anyres view, the colour, shape and box of the object it shows most of: the targets
of the SFT object readout (`sft/object_readout.py`).

The scene's label map (`world.scenes.label_map`) goes through the views' own geometry (`anyres_views`, nearest
resampling), so a token's label is taken from exactly the pixels its view region holds. A token is labelled
with the object covering most of its region when that object covers at least `MIN_COVER` of it, else background.
The box is the labelled object's tight box in that view's pixels (x1, y1, x2, y2; exclusive ends, 0 for
background): what the view shows of it, so a crop that cuts an object gives the cut part.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from ..model.config import LavidaConfig
from ..model.image_processing import anyres_views
from ..model.vision import pooled_side, token_region
from ..world.palette import OBJECT_COLOURS
from ..world.raster import SHAPES
from ..world.scenes import Obj, label_map

BACKGROUND = 0  # class 0 of both heads; an object's colour or shape is its index + 1
IGNORE = -100  # rows with no object labels (cross_entropy's ignore_index)
COLOUR_CLASSES = (*OBJECT_COLOURS,)
MIN_COVER = 1 / 16  # of a token's region: 16 of its 256 px in the tiny preset
FIELDS = 6  # per token: colour class, shape class, box x1, y1, x2, y2


def object_labels(objs: list[Obj], image_size: tuple[int, int], config: LavidaConfig) -> Tensor:
    """[views, tokens per view, FIELDS] long: per token (colour class, shape class, box in view pixels), 0 for
    background."""
    width, height = image_size
    labels = Image.fromarray(label_map(objs, width, height))  # mode "L"
    views, _ = anyres_views(labels, config, Image.Resampling.NEAREST, square_fill=0)
    side, region = pooled_side(config), token_region(config)
    covered = side * region  # the pooled grid's pixels (a floor stride-2 pool)
    colour = torch.tensor([BACKGROUND] + [COLOUR_CLASSES.index(o.colour) + 1 for o in objs])
    shape = torch.tensor([BACKGROUND] + [SHAPES.index(o.shape) + 1 for o in objs])
    out = []
    for view in views:
        ids = torch.from_numpy(np.asarray(view, dtype=np.int64)[:covered, :covered].copy())
        cells = ids.reshape(side, region, side, region).permute(0, 2, 1, 3).reshape(side * side, region * region)
        counts = torch.nn.functional.one_hot(cells, len(objs) + 1).sum(1)  # [tokens, 1 + objects]
        counts[:, 0] = 0
        most, obj = counts.max(-1)
        obj = torch.where(most >= MIN_COVER * region * region, obj, 0)
        boxes = view_boxes(ids, len(objs))
        out.append(torch.cat([torch.stack([colour[obj], shape[obj]], dim=-1), boxes[obj]], dim=-1))
    return torch.stack(out)


def view_boxes(ids: Tensor, count: int) -> Tensor:
    """[1 + count, 4] long: each object's tight box (x1, y1, x2, y2, exclusive ends) in the label view `ids`
    [H, W]; row 0 (background) and objects the view does not show are all 0."""
    boxes = torch.zeros(count + 1, 4, dtype=torch.long)
    for index in range(1, count + 1):
        ys, xs = (ids == index).nonzero(as_tuple=True)
        if len(xs):
            boxes[index] = torch.stack([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return boxes
