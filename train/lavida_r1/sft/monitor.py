"""Cheap in-training measurements of whether the model reads its images.

- `embedding_norm_ratio`: mean L2 norm of the `<image>` embeddings entering the backbone over that of the
  prompt's text-token embeddings. With pre-norm blocks a ratio of 1000 means image tokens pass through the LM
  unchanged; keep it within about 10.
- `image_token_spread`: how much the projected tokens of one anyres view differ from one another: the mean
  distance of each token from its view's mean token over the mean token norm (newline tokens left out). Near 0
  the backbone gets one vector repeated, whatever the view shows (a collapsed vision pathway, which a norm
  ratio cannot see).
- `image_reliance`: the SFT loss with each row's image swapped for another row's (a cyclic shift, so no row
  keeps its own) minus the loss with the true images, same masks. About zero for a model that ignores images.
"""

from __future__ import annotations

import dataclasses

import torch

from ..data.batch import Batch
from ..data.image_features import batch_views, image_features
from ..model import LavidaForMaskedDiffusion
from .loss import sft_loss


@torch.no_grad()
def embedding_norm_ratio(model: LavidaForMaskedDiffusion, batch: Batch) -> float:
    c = model.config
    images = image_features(model, batch)
    image_norm = images.norm(dim=-1)[images.abs().sum(-1) > 0].mean()
    text = batch.prompt_ids[
        (batch.prompt_mask == 1) & (batch.prompt_ids != c.image_token_id) & (batch.prompt_ids != c.edit_token_id)
    ]
    return float(image_norm / model.model.transformer.wte(text).norm(dim=-1).mean())


@torch.no_grad()
def image_token_spread(model: LavidaForMaskedDiffusion, batch: Batch) -> float:
    views = model.encode_views(batch_views(batch))  # [V, T, d]
    spread = (views - views.mean(dim=1, keepdim=True)).norm(dim=-1).mean(dim=1) / views.norm(dim=-1).mean(dim=1)
    return float(spread.mean())


def _rows(batch: Batch, rows: list[int]) -> Batch:
    pick = lambda t: None if t is None else t[rows]
    return Batch(
        batch.prompt_ids[rows],
        batch.prompt_mask[rows],
        batch.answer_ids[rows],
        [batch.images[i] for i in rows],
        pick(batch.edit_vq),
        pick(batch.target_vq),
    )


def swap_plan(batch: Batch) -> tuple[list[int], list[int]]:
    """(rows, image source of each): rows grouped by image layout (only equal layouts give equal prompts),
    each group of two or more cyclically shifted; rows alone in their layout are left out."""
    groups: dict[tuple, list[int]] = {}
    for row, image in enumerate(batch.images):
        groups.setdefault((image.grid, image.original_size), []).append(row)
    rows, sources = [], []
    for members in groups.values():
        if len(members) >= 2:
            rows += members
            sources += members[1:] + members[:1]
    return rows, sources


@torch.no_grad()
def image_reliance(model: LavidaForMaskedDiffusion, batch: Batch, seed: int, loc_sigma: float) -> float | None:
    """Swapped-image minus true-image SFT loss (nats per answer token) over the rows that can swap; None when
    no two rows share an image layout."""
    rows, sources = swap_plan(batch)
    if not rows:
        return None
    true = _rows(batch, rows)
    swapped = dataclasses.replace(
        true,
        images=[batch.images[i] for i in sources],
        edit_vq=None if batch.edit_vq is None else batch.edit_vq[sources],
    )
    losses = [sft_loss(model, b, torch.Generator().manual_seed(seed), loc_sigma).total for b in (true, swapped)]
    return float(losses[1] - losses[0])
