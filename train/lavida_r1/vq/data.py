"""World edit images as VQ training data: every batch is a pure function of (seed, step).

A batch holds the source and the exact target of batch/2 edit samples; edit types cycle through all nine.
The train split's index space is unbounded, so batches are drawn fresh instead of epoch-shuffled.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from ..world import generate
from ..world.edit_tasks import EDIT_TYPES

_INDEX_SPACE = 2**48


def to_pixels(images: list[Image.Image]) -> Tensor:
    """uint8 RGB images → float [B, 3, S, S] in [-1, 1] (the convention of `vq_encode`)."""
    array = np.stack([np.asarray(im.convert("RGB"), dtype=np.float32) for im in images])
    return torch.from_numpy(array / 127.5 - 1.0).permute(0, 3, 1, 2).contiguous()


def edit_kind(index: int) -> str:
    return EDIT_TYPES[index % len(EDIT_TYPES)]


def edit_images(split: str, indices: list[int]) -> list[Image.Image]:
    images = []
    for index in indices:
        sample = generate("edit", split, index, kind=edit_kind(index))
        images += [sample.image, sample.target_image]
    return images


def train_batch(seed: int, step: int, batch: int) -> Tensor:
    if batch % 2:
        raise ValueError("batch must be even (a source and a target per sample)")
    rng = np.random.default_rng([seed, step])
    indices = rng.integers(0, _INDEX_SPACE, batch // 2).tolist()
    return to_pixels(edit_images("train", indices))


def eval_pixels(samples: int) -> Tensor:
    """The first `samples` eval-split edits (held out: split seeds never collide), sources and targets."""
    return to_pixels(edit_images("eval", list(range(samples))))


def eval_kinds(samples: int) -> list[str]:
    """The edit type of each pair of `eval_pixels(samples)`."""
    return [edit_kind(index) for index in range(samples)]
