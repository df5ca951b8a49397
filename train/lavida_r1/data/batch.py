"""Examples of one family → padded tensors. Prompts are left-padded (positions count real tokens only)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from ..model.config import LavidaConfig
from ..model.image_processing import AnyresImage
from .examples import Example
from .object_labels import IGNORE


@dataclass
class Batch:
    prompt_ids: torch.Tensor  # [B, P] left-padded
    prompt_mask: torch.Tensor  # [B, P] 1 on real tokens
    answer_ids: torch.Tensor  # [B, A]
    images: list[AnyresImage]
    edit_vq: torch.Tensor | None  # [B, g, g]
    target_vq: torch.Tensor | None  # [B, g, g]
    # [all views, tokens per view, FIELDS]: the object readout's targets per token, every row's views
    # in order (IGNORE on rows without labels); None when no row has them
    object_labels: torch.Tensor | None = None
    glyph_labels: torch.Tensor | None = None  # [all views, tokens per view, slots]: the glyph readout's, likewise


def collate(examples: list[Example], config: LavidaConfig) -> Batch:
    lengths = {len(e.answer_ids) for e in examples}
    if len(lengths) != 1:
        raise ValueError(f"answers of one batch must share a length, got {sorted(lengths)}")
    width = max(len(e.prompt_ids) for e in examples)
    prompt = torch.full((len(examples), width), config.pad_token_id, dtype=torch.long)
    mask = torch.zeros_like(prompt)
    for row, e in enumerate(examples):
        prompt[row, width - len(e.prompt_ids) :] = torch.tensor(e.prompt_ids)
        mask[row, width - len(e.prompt_ids) :] = 1
    answers = torch.tensor([e.answer_ids for e in examples])
    stack = lambda name: (
        torch.stack([getattr(e, name) for e in examples]) if getattr(examples[0], name) is not None else None
    )
    images = [e.image for e in examples]
    labels = [
        collate_labels([getattr(e, name) for e in examples], images) for name in ("object_labels", "glyph_labels")
    ]
    return Batch(prompt, mask, answers, images, stack("edit_vq"), stack("target_vq"), *labels)


def collate_labels(rows: list[torch.Tensor | None], images: list[AnyresImage]) -> torch.Tensor | None:
    """The rows' per-token labels [views, tokens, fields] in view order, IGNORE where a row has none; None when no
    row has any."""
    shape = next((labels.shape[1:] for labels in rows if labels is not None), None)
    if shape is None:
        return None
    return torch.cat(
        [
            labels
            if labels is not None
            else torch.full((image.pixel_values.shape[0], *shape), IGNORE, dtype=torch.long)
            for labels, image in zip(rows, images)
        ]
    )


def to_device(batch: Batch, device: torch.device) -> Batch:
    move = lambda t: None if t is None else t.to(device)
    return Batch(
        move(batch.prompt_ids),
        move(batch.prompt_mask),
        move(batch.answer_ids),
        [replace(image, pixel_values=move(image.pixel_values)) for image in batch.images],
        move(batch.edit_vq),
        move(batch.target_vq),
        move(batch.object_labels),
        move(batch.glyph_labels),
    )
