"""Token choice from logits: LLaDA's float64 Gumbel-max sampling and the confidences remasking ranks by."""

from __future__ import annotations

import torch
from torch import Tensor


def gumbel_argmax(logits: Tensor, temperature: float, generator: torch.Generator | None) -> Tensor:
    """argmax of exp(logits) / (-log u)^temperature in float64 (greedy argmax at temperature 0)."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits.to(torch.float64)
    u = torch.rand(logits.shape, dtype=torch.float64, device=logits.device, generator=generator)
    return (logits.exp() / (-torch.log(u)) ** temperature).argmax(dim=-1)


def token_confidence(logits: Tensor, tokens: Tensor) -> Tensor:
    """The softmax probability (float64) of each chosen token under the untempered logits."""
    probs = torch.softmax(logits.to(torch.float64), dim=-1)
    return torch.gather(probs, -1, tokens[..., None]).squeeze(-1)


def choose_tokens(
    logits: Tensor, temperature: float, remasking: str, generator: torch.Generator | None
) -> tuple[Tensor, Tensor]:
    """Candidate tokens x0 and their confidences.

    low_confidence: the softmax probability (float64) of x0 under the untempered logits; random: uniform noise.
    """
    x0 = gumbel_argmax(logits, temperature, generator)
    if remasking == "low_confidence":
        confidence = token_confidence(logits, x0)
    elif remasking == "random":
        confidence = torch.rand(x0.shape, dtype=torch.float64, device=x0.device, generator=generator)
    else:
        raise ValueError(f"unknown remasking {remasking!r} (low_confidence or random)")
    return x0, confidence
