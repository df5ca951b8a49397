"""The SFT loss: complementary masking with weight 1 over the answer, the prompt never masked (LaViDa).

Per row t ~ U(0,1); copy 1 masks the answer tokens (text and VQ) drawn with probability t, copy 2 masks the
rest, so every answer token is predicted exactly once. The prompt runs once with the prefix cache and both
copies attend to it (the prefix-LM pattern that inference uses). Loss = mean cross-entropy over the answer's
text tokens + mean cross-entropy over its VQ tokens (with `changed_weight`, tokens whose target code differs from
the source image's count that many times). With `loc_sigma` > 0, LOC targets are soft (see loc_targets).
`token_cross_entropy` gives the same pair's cross-entropy per answer token (the diagnostics read it).
Masks are drawn on the CPU whatever the model's device, for the whole batch even when a process holds only its
share of it (`share.Share`), so they are a function of the generator's seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ..data.batch import Batch
from ..data.image_features import image_features
from ..likelihood import complementary_masks
from ..model import LavidaForMaskedDiffusion
from ..sampling.text import prompt_positions
from .loc_targets import loc_aware_cross_entropy
from .share import Share


@dataclass
class LossParts:
    total: Tensor
    text: Tensor | None
    image: Tensor | None


@dataclass
class PairForward:
    """The complementary pair's forward over a batch of B rows and A answer positions."""

    logits: Tensor  # [2B, A, vocab] text logits of both copies (copy 1 rows first)
    answers: Tensor  # [2B, A] the true answer ids, repeated for both copies
    text_masks: Tensor  # [2, B, A] answer text tokens masked in each copy
    text_slots: Tensor  # [B, A] answer positions holding text (not generation slots)
    image_logits: Tensor | None  # [2B, N, codebook] VQ logits, with a target image
    image_targets: Tensor | None  # [2B, N] the true VQ ids, repeated
    image_masks: Tensor  # [2, B, N] VQ tokens masked in each copy (N = 0 without a target image)


def pair_masks(slots: Tensor, generator: torch.Generator, share: Share | None = None) -> Tensor:
    """`complementary_masks` over `slots` [B, G], the answer positions that take part: drawn on the CPU for the
    whole batch (`share`: B of its rows), this batch's rows kept, on `slots`' device."""
    share = share or Share.whole(slots.shape[0])
    whole = complementary_masks(torch.ones(share.size, slots.shape[1], dtype=torch.bool), generator)
    first = whole[0, share.rows].to(slots.device) & slots
    return torch.stack((first, slots & ~first))


def pair_forward(
    model: LavidaForMaskedDiffusion,
    batch: Batch,
    generator: torch.Generator,
    features: Tensor | None = None,
    share: Share | None = None,
) -> PairForward:
    """Both copies of the complementary pair, the prompt run once through the prefix cache (`features`: the
    batch's `image_features` when the caller has them already)."""
    c = model.config
    rows, device = batch.answer_ids.shape[0], batch.answer_ids.device
    features = image_features(model, batch) if features is None else features
    cache = model(
        batch.prompt_ids,
        image_features=features,
        edit_vq=batch.edit_vq,
        attention_mask=batch.prompt_mask,
        position_ids=prompt_positions(batch.prompt_mask),
        use_cache=True,
    ).cache.repeat(2)

    text_slots = batch.answer_ids != c.gen_token_id
    image_slots = torch.ones(
        rows, 0 if batch.target_vq is None else batch.target_vq[0].numel(), dtype=torch.bool, device=device
    )
    # One t per row shared by text and image tokens: the pair's masks over the whole answer.
    masks = pair_masks(torch.cat((text_slots, image_slots), dim=1), generator, share)
    text_masks, image_masks = masks[..., : text_slots.shape[1]], masks[..., text_slots.shape[1] :]

    answers = batch.answer_ids.repeat(2, 1)
    noisy = torch.where(text_masks.flatten(0, 1), c.mask_token_id, answers)
    gen_vq = targets = None
    if batch.target_vq is not None:
        targets = batch.target_vq.flatten(1).repeat(2, 1)
        gen_vq = torch.where(image_masks.flatten(0, 1), c.image_mask_token_id, targets).view(
            2 * rows, *batch.target_vq.shape[1:]
        )
    positions = batch.prompt_mask.sum(1, keepdim=True) + torch.arange(answers.shape[1], device=device)[None]
    out = model(
        noisy, gen_vq=gen_vq, attention_mask=torch.ones_like(noisy), position_ids=positions.repeat(2, 1), past=cache
    )
    return PairForward(
        out.logits,
        answers,
        text_masks,
        text_slots,
        out.image_logits if gen_vq is not None else None,
        targets,
        image_masks,
    )


def sft_loss(
    model: LavidaForMaskedDiffusion,
    batch: Batch,
    generator: torch.Generator,
    loc_sigma: float = 0.0,
    features: Tensor | None = None,
    share: Share | None = None,
    changed_weight: float = 1.0,
) -> LossParts:
    """The batch's loss parts; with `share`, this share's contributions to the whole batch's (which they sum to)."""
    share = share or Share.whole(batch.answer_ids.shape[0])
    pair = pair_forward(model, batch, generator, features, share)
    text_loss = image_loss = None
    total = torch.zeros((), device=pair.logits.device)
    picked = pair.text_masks.flatten(0, 1)
    if bool(pair.text_slots.any()):
        text_loss = (
            loc_aware_cross_entropy(pair.logits[picked].float(), pair.answers[picked], model.config, loc_sigma)
            / pair.text_slots.sum()
            * share.text
        )
        total = total + text_loss
    if pair.image_logits is not None:
        chosen = pair.image_masks.flatten(0, 1)
        ce = F.cross_entropy(pair.image_logits[chosen].float(), pair.image_targets[chosen], reduction="none")
        image_loss = (
            (ce * changed_weights(batch, changed_weight).repeat(2, 1)[chosen]).sum()
            / pair.image_masks[0].numel()
            * share.image
        )
        total = total + image_loss
    return LossParts(total, text_loss, image_loss)


def changed_weights(batch: Batch, changed_weight: float) -> Tensor:
    """[B, N] the weight of each target VQ token: `changed_weight` where its code differs from the source's (all 1
    without a source image)."""
    target = batch.target_vq.flatten(1)
    if batch.edit_vq is None or changed_weight == 1.0:
        return torch.ones_like(target, dtype=torch.float32)
    changed = target != batch.edit_vq.flatten(1)
    return torch.where(changed, changed_weight, 1.0)


def token_cross_entropy(model: LavidaForMaskedDiffusion, batch: Batch, generator: torch.Generator) -> Tensor:
    """[B, A] cross-entropy (nats, one-hot targets) of each answer text token, read from the copy of the pair
    that masks it, so every token is scored exactly once as in `sft_loss` (whose text loss with `loc_sigma` 0 is
    this summed over the text tokens, divided by their count); 0 at generation slots."""
    pair = pair_forward(model, batch, generator)
    ce = F.cross_entropy(pair.logits.flatten(0, 1).float(), pair.answers.flatten(), reduction="none")
    return (ce.view(pair.text_masks.shape) * pair.text_masks).sum(0)
