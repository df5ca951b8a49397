"""The unified objective J = (1/M) Σ_i A_i · log π(y_i | x_i), as a loss to minimise.

log π comes from a likelihood estimator (a sum over the response's tokens); it is divided by the response's
token count so that families with long canvases (edits: plan + image) and short ones (grounding) weigh alike,
as the SFT loss averages over tokens. SFT samples enter with A = 1. The KL variant adds β · k3(π_ref ‖ π) per
scored token: exp(d) - d - 1 with d = log π_ref - log π, the low-variance estimator of GRPO implementations.
"""

from __future__ import annotations

import torch
from torch import Tensor


def unified_loss(logp: Tensor, tokens: Tensor, advantages: Tensor, total: int) -> Tensor:
    """-(1/total) Σ A_i · logp_i / tokens_i over this shard's samples; `total` counts every shard's samples, so
    summing shard losses (or their gradients) across processes gives the loss of the whole batch."""
    return -(advantages * logp / tokens).sum() / total


def k3_kl(token_logp: Tensor, reference_logp: Tensor, scored: Tensor) -> Tensor:
    """[B] mean k3 estimate of KL(π ‖ π_ref) over each sample's scored tokens (masks [n, B, G])."""
    d = (reference_logp - token_logp).masked_fill(~scored, 0.0)
    per_token = (torch.exp(d) - d - 1).masked_fill(~scored, 0.0)
    return per_token.sum(dim=(0, 2)) / scored.sum(dim=(0, 2)).clamp(min=1)
