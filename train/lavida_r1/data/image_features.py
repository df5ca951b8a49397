"""A batch's images → the packed `<image>` embeddings the model reads (the vision tower, pool and projector)."""

from __future__ import annotations

import torch
from torch import Tensor

from ..model import LavidaForMaskedDiffusion
from .batch import Batch


def batch_views(batch: Batch) -> Tensor:
    """Every row's anyres views in one tensor [V, 3, S, S], rows in order."""
    return torch.cat([image.pixel_values for image in batch.images])


def pack_features(model: LavidaForMaskedDiffusion, batch: Batch, encoded: Tensor) -> Tensor:
    """Encoded `batch_views` [V, T, d_model] → packed `<image>` embeddings of every row, zero-padded to the
    longest row: [B, N, d_model]."""
    rows, start = [], 0
    for image in batch.images:
        count = image.pixel_values.shape[0]
        rows.append(model.encode_packed(encoded[start : start + count], image))
        start += count
    return torch.nn.utils.rnn.pad_sequence(rows, batch_first=True)


def image_features(model: LavidaForMaskedDiffusion, batch: Batch) -> Tensor:
    return pack_features(model, batch, model.encode_views(batch_views(batch)))
