"""A process's share of a step's batch under data parallelism (see `lavida_r1.distributed`).

Each process builds and runs only its rows of the batch. The masks are drawn for the whole batch and each mean
of the loss is weighted by the share's part of its count, so the shares' losses, and their gradients, add up to
the whole batch's: a run's numbers do not depend on how many processes it runs on. One process's share is the
whole batch, with weights 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.batch import Batch
from ..distributed import Shard
from ..model.config import LavidaConfig


@dataclass(frozen=True)
class Share:
    rows: list[int]  # this share's rows of the whole batch
    size: int  # rows of the whole batch
    text: float = 1.0  # the share's part of the batch's answer text tokens
    views: float = 1.0  # ... of its image views (the view readout's mean)
    objects: float = 1.0  # ... of its view tokens that show an object (the object readout's mean)
    placed: float = 1.0  # ... of its view tokens in views with object labels (the object readout's place mean)
    glyphs: float = 1.0  # ... of its view tokens that hold a glyph (the glyph readout's mean)
    no_glyphs: float = 1.0  # ... of its glyph-labelled view tokens that hold none (the glyph readout's other mean)

    @classmethod
    def whole(cls, size: int) -> "Share":
        return cls(list(range(size)), size)

    @property
    def image(self) -> float:
        """The share's part of the batch's VQ tokens (every row of a batch has as many)."""
        return len(self.rows) / self.size


def share_of(batch: Batch, rows: list[int], size: int, shard: Shard, config: LavidaConfig) -> Share:
    """`batch` holds rows `rows` of a batch of `size`; the other processes hold the rest."""
    text = float((batch.answer_ids != config.gen_token_id).sum())
    views = float(sum(image.pixel_values.shape[0] for image in batch.images))
    count = lambda labels, held: 0.0 if labels is None else float((held(labels[..., 0])).sum())
    local = [
        text,
        views,
        count(batch.object_labels, lambda first: first > 0),
        count(batch.object_labels, lambda first: first >= 0),
        count(batch.glyph_labels, lambda first: first > 0),
        count(batch.glyph_labels, lambda first: first == 0),
    ]
    part = lambda mine, whole: mine / whole if whole else 1.0
    return Share(rows, size, *(part(mine, whole) for mine, whole in zip(local, shard.sum(local))))
