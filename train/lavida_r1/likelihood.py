"""Sequence log-likelihood estimators for masked-diffusion responses (the RL likelihood of LaViDa-R1).

Every estimator works on a `LogProbFn`: given masks [n, B, G] over the response (True = masked), it returns the
log-probability of each true response token under the model with that masking, [n, B, G] (read at masked
positions only). `eligible` [B, G] marks the response tokens that may be masked (False: padding or fixed).

- complementary: t ~ U(0,1); copy 1 masks S ~ Bernoulli(t), copy 2 masks the complement, so every token is
  scored exactly once; weight 1 (LaViDa-R1). Two forward passes. A token is scored with its context masked
  at a rate r of density 2r, where the ELBO has r uniform: a looser bound wherever masking more context
  lowers the token's log-probability.
- complementary_elbo: the same pair at rate p = eps + (1-2eps)t, each copy weighted as an ELBO sample of its
  own rate, 1/(2p) and 1/(2(1-p)): an antithetic ELBO estimate (unbiased for eps = 0; eps bounds the weights).
- mc: LLaDA's ELBO sample: t ~ U(0,1), p = (1-eps)t + eps, mask ~ Bernoulli(p), weight 1/p; `samples` > 1
  averages independent draws (k-sample MC).
- d1: the whole response masked (t = 1), one pass; the prompt may be partly masked inside the LogProbFn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from .model import LavidaForMaskedDiffusion
from .sampling.text import prompt_positions

LogProbFn = Callable[[Tensor], Tensor]


@dataclass
class Estimate:
    value: Tensor  # [B] estimated log π(y | x), differentiable
    masks: Tensor  # [n, B, G] the maskings that were scored
    per_sample: Tensor  # [n, B] the estimate of each independent draw (value is their mean)
    token_logp: Tensor  # [n, B, G] log-probability of each true token under each masking (read where masked)


def _uniform(shape: tuple[int, ...], like: Tensor, generator: torch.Generator | None) -> Tensor:
    return torch.rand(shape, device=like.device, generator=generator)


def complementary_masks(
    eligible: Tensor, generator: torch.Generator | None = None, rate: Tensor | None = None
) -> Tensor:
    """[2, B, G]: a Bernoulli(rate) mask per row, rate [B, 1] (default t ~ U(0,1)), and its complement within
    `eligible`."""
    if rate is None:
        rate = _uniform((eligible.shape[0], 1), eligible, generator)
    first = (_uniform(tuple(eligible.shape), eligible, generator) < rate) & eligible
    return torch.stack((first, eligible & ~first))


def complementary_estimate(
    logprob_fn: LogProbFn, eligible: Tensor, generator: torch.Generator | None = None
) -> Estimate:
    masks = complementary_masks(eligible, generator)
    logp = logprob_fn(masks)
    value = (logp * masks).sum(dim=(0, 2))
    return Estimate(value, masks, value[None], logp)


def complementary_elbo_value(logp: Tensor, masks: Tensor, rate: Tensor) -> Tensor:
    """[B]: the pair's ELBO estimate; copy 1 of `masks` [2, B, G] masks at `rate` [B, 1], copy 2 at 1 - rate."""
    weights = torch.stack((0.5 / rate, 0.5 / (1 - rate)))
    return (logp * masks * weights).sum(dim=(0, 2))


def complementary_elbo_estimate(
    logprob_fn: LogProbFn, eligible: Tensor, eps: float = 1e-3, generator: torch.Generator | None = None
) -> Estimate:
    rate = eps + (1 - 2 * eps) * _uniform((eligible.shape[0], 1), eligible, generator)
    masks = complementary_masks(eligible, generator, rate)
    logp = logprob_fn(masks)
    value = complementary_elbo_value(logp, masks, rate)
    return Estimate(value, masks, value[None], logp)


def mc_estimate(
    logprob_fn: LogProbFn,
    eligible: Tensor,
    samples: int = 1,
    eps: float = 1e-3,
    generator: torch.Generator | None = None,
) -> Estimate:
    batch = eligible.shape[0]
    t = _uniform((samples, batch, 1), eligible, generator)
    p = (1 - eps) * t + eps
    masks = (_uniform((samples, *eligible.shape), eligible, generator) < p) & eligible
    logp = logprob_fn(masks)
    draws = ((logp * masks) / p).sum(dim=2)
    return Estimate(draws.mean(dim=0), masks, draws, logp)


def d1_estimate(logprob_fn: LogProbFn, eligible: Tensor) -> Estimate:
    masks = eligible[None].clone()
    logp = logprob_fn(masks)
    value = (logp * masks).sum(dim=(0, 2))
    return Estimate(value, masks, value[None], logp)


def text_logprob_fn(
    model: LavidaForMaskedDiffusion,
    prompt_ids: Tensor,
    answer_ids: Tensor,
    image_features: Tensor | None = None,
    prompt_mask: Tensor | None = None,
    prompt_mask_prob: float = 0.0,
    prefix_lm: bool = True,
    generator: torch.Generator | None = None,
) -> LogProbFn:
    """LogProbFn of a text answer: the prompt plus the masked answer in one forward per masking.

    prompt_mask_prob > 0 also masks prompt text tokens at random (d1's prompt noise); image slots stay.
    """
    c = model.config
    if prompt_mask is None:
        prompt_mask = torch.ones_like(prompt_ids)
    positions = torch.cat(
        (
            prompt_positions(prompt_mask),
            prompt_mask.long().sum(1, keepdim=True) + torch.arange(answer_ids.shape[1])[None],
        ),
        dim=1,
    )

    def logprobs(masks: Tensor) -> Tensor:
        n = masks.shape[0]
        prompt = prompt_ids.repeat(n, 1)
        if prompt_mask_prob > 0:
            noisy = (torch.rand(prompt.shape, generator=generator) < prompt_mask_prob) & (prompt != c.image_token_id)
            prompt = torch.where(noisy, c.mask_token_id, prompt)
        answer = torch.where(masks.flatten(0, 1), c.mask_token_id, answer_ids.repeat(n, 1))
        ids = torch.cat((prompt, answer), dim=1)
        valid = torch.cat((prompt_mask, torch.ones_like(answer_ids)), dim=1).repeat(n, 1)
        features = image_features.repeat(n, 1, 1) if image_features is not None else None
        out = model(
            ids,
            image_features=features,
            attention_mask=valid,
            position_ids=positions.repeat(n, 1),
            prefix_len=prompt_ids.shape[1] if prefix_lm else None,
        )
        logits = out.logits[:, prompt_ids.shape[1] :].float()
        token_logp = torch.log_softmax(logits, dim=-1).gather(-1, answer_ids.repeat(n, 1)[..., None]).squeeze(-1)
        return token_logp.view(n, *answer_ids.shape)

    return logprobs


def image_logprob_fn(
    model: LavidaForMaskedDiffusion,
    input_ids: Tensor,
    target_vq: Tensor,
    image_features: Tensor | None = None,
    edit_vq: Tensor | None = None,
) -> LogProbFn:
    """LogProbFn of a generated image: the response is the VQ canvas [B, H, W] behind the `gen_token_id` slots
    of `input_ids`; G = H*W in the masks."""
    c = model.config
    batch, height, width = target_vq.shape
    flat = target_vq.reshape(batch, -1)

    def logprobs(masks: Tensor) -> Tensor:
        n = masks.shape[0]
        canvas = torch.where(masks.flatten(0, 1), c.image_mask_token_id, flat.repeat(n, 1))
        repeat = lambda t: None if t is None else t.repeat(n, *([1] * (t.dim() - 1)))
        out = model(
            input_ids.repeat(n, 1),
            image_features=repeat(image_features),
            edit_vq=repeat(edit_vq),
            gen_vq=canvas.view(-1, height, width),
        )
        token_logp = torch.log_softmax(out.image_logits.float(), dim=-1).gather(-1, flat.repeat(n, 1)[..., None])
        return token_logp.squeeze(-1).view(n, batch, -1)

    return logprobs
