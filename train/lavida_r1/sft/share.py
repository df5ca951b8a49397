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
    objects = 0.0 if batch.object_labels is None else float((batch.object_labels[..., 0] > 0).sum())
    all_text, all_views, all_objects = shard.sum([text, views, objects])
    return Share(rows, size, text / all_text, views / all_views, objects / all_objects if all_objects else 1.0)
