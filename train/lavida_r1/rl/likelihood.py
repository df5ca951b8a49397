"""log π(response | prompt) of a batch of examples with the selectable estimators of `lavida_r1.likelihood`.

The response is the answer canvas (text, LOC or an edit's plan) plus, for edits, the VQ image behind its
generation slots; both are masked by one estimator draw, as in SFT. The prompt runs once with the prefix cache
(gradients flow through it) and every masked copy attends to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..data.batch import Batch
from ..data.image_features import image_features
from ..likelihood import (
    Estimate,
    LogProbFn,
    complementary_elbo_estimate,
    complementary_estimate,
    d1_estimate,
    mc_estimate,
)
from ..model import LavidaForMaskedDiffusion
from ..sampling.text import prompt_positions


@dataclass
class Response:
    logprob_fn: LogProbFn
    eligible: Tensor  # [B, G] the response tokens an estimator may mask


def response_of(model: LavidaForMaskedDiffusion, batch: Batch) -> Response:
    c = model.config
    cache = model(
        batch.prompt_ids,
        image_features=image_features(model, batch),
        edit_vq=batch.edit_vq,
        attention_mask=batch.prompt_mask,
        position_ids=prompt_positions(batch.prompt_mask),
        use_cache=True,
    ).cache
    rows, length = batch.answer_ids.shape
    text_slots = batch.answer_ids != c.gen_token_id
    targets = batch.target_vq.flatten(1) if batch.target_vq is not None else torch.zeros(rows, 0, dtype=torch.long)
    positions = batch.prompt_mask.sum(1, keepdim=True) + torch.arange(length)[None]

    def logprobs(masks: Tensor) -> Tensor:
        n = masks.shape[0]
        flat = masks.flatten(0, 1)
        answers = batch.answer_ids.repeat(n, 1)
        noisy = torch.where(flat[:, :length], c.mask_token_id, answers)
        gen_vq = None
        if batch.target_vq is not None:
            canvas = torch.where(flat[:, length:], c.image_mask_token_id, targets.repeat(n, 1))
            gen_vq = canvas.view(n * rows, *batch.target_vq.shape[1:])
        out = model(
            noisy,
            gen_vq=gen_vq,
            attention_mask=torch.ones_like(noisy),
            position_ids=positions.repeat(n, 1),
            past=cache.repeat(n),
        )
        logp = torch.log_softmax(out.logits.float(), dim=-1).gather(-1, answers[..., None]).squeeze(-1)
        if gen_vq is not None:
            image = torch.log_softmax(out.image_logits.float(), dim=-1)
            logp = torch.cat((logp, image.gather(-1, targets.repeat(n, 1)[..., None]).squeeze(-1)), dim=1)
        return logp.view(n, rows, -1)

    return Response(logprobs, torch.cat((text_slots, torch.ones_like(targets, dtype=torch.bool)), dim=1))


def estimate(name: str, response: Response, generator: torch.Generator, mc_samples: int = 2) -> Estimate:
    if name == "complementary":
        return complementary_estimate(response.logprob_fn, response.eligible, generator)
    if name == "complementary_elbo":
        return complementary_elbo_estimate(response.logprob_fn, response.eligible, generator=generator)
    if name == "mc":
        return mc_estimate(response.logprob_fn, response.eligible, mc_samples, generator=generator)
    if name == "d1":
        return d1_estimate(response.logprob_fn, response.eligible)
    raise ValueError(f"unknown estimator {name!r}")
