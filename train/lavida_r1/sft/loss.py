"""The SFT loss: complementary masking with weight 1 over the answer, the prompt never masked (LaViDa).

Per row t ~ U(0,1); copy 1 masks the answer tokens (text and VQ) drawn with probability t, copy 2 masks the
rest, so every answer token is predicted exactly once. The prompt runs once with the prefix cache and both
copies attend to it (the prefix-LM pattern that inference uses). Loss = mean cross-entropy over the answer's
text tokens + mean cross-entropy over its VQ tokens. With `loc_sigma` > 0, LOC targets are soft (see loc_targets).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ..likelihood import complementary_masks
from ..model import LavidaForMaskedDiffusion
from ..sampling.text import prompt_positions
from .batch import Batch
from .loc_targets import loc_aware_cross_entropy


@dataclass
class LossParts:
    total: Tensor
    text: Tensor | None
    image: Tensor | None


def image_features(model: LavidaForMaskedDiffusion, batch: Batch) -> Tensor:
    """Packed `<image>` embeddings of every row, zero-padded to the longest row: [B, N, d_model]."""
    views = torch.cat([image.pixel_values for image in batch.images])
    encoded = model.encode_views(views)
    rows, start = [], 0
    for image in batch.images:
        count = image.pixel_values.shape[0]
        rows.append(model.encode_packed(encoded[start:start + count], image))
        start += count
    return torch.nn.utils.rnn.pad_sequence(rows, batch_first=True)


def sft_loss(model: LavidaForMaskedDiffusion, batch: Batch, generator: torch.Generator,
             loc_sigma: float = 0.0) -> LossParts:
    c = model.config
    rows = batch.answer_ids.shape[0]
    cache = model(batch.prompt_ids, image_features=image_features(model, batch), edit_vq=batch.edit_vq,
                  attention_mask=batch.prompt_mask, position_ids=prompt_positions(batch.prompt_mask),
                  use_cache=True).cache.repeat(2)

    text_slots = batch.answer_ids != c.gen_token_id
    image_slots = torch.ones(rows, 0, dtype=torch.bool)
    if batch.target_vq is not None:
        image_slots = torch.ones(rows, batch.target_vq[0].numel(), dtype=torch.bool)
    # One t per row shared by text and image tokens: the pair's masks over the whole answer.
    masks = complementary_masks(torch.cat((text_slots, image_slots), dim=1), generator)
    text_masks, image_masks = masks[..., : text_slots.shape[1]], masks[..., text_slots.shape[1]:]

    answers = batch.answer_ids.repeat(2, 1)
    noisy = torch.where(text_masks.flatten(0, 1), c.mask_token_id, answers)
    gen_vq = None
    if batch.target_vq is not None:
        targets = batch.target_vq.flatten(1).repeat(2, 1)
        gen_vq = torch.where(image_masks.flatten(0, 1), c.image_mask_token_id, targets).view(2 * rows, *batch.target_vq.shape[1:])
    positions = batch.prompt_mask.sum(1, keepdim=True) + torch.arange(answers.shape[1])[None]
    out = model(noisy, gen_vq=gen_vq, attention_mask=torch.ones_like(noisy), position_ids=positions.repeat(2, 1),
                past=cache)

    text_loss = image_loss = None
    total = torch.zeros(())
    picked = text_masks.flatten(0, 1)
    if bool(text_slots.any()):
        text_loss = loc_aware_cross_entropy(out.logits[picked].float(), answers[picked], c, loc_sigma) / text_slots.sum()
        total = total + text_loss
    if gen_vq is not None:
        chosen = image_masks.flatten(0, 1)
        image_loss = F.cross_entropy(out.image_logits[chosen].float(), targets[chosen], reduction="sum") / image_slots.sum()
        total = total + image_loss
    return LossParts(total, text_loss, image_loss)
