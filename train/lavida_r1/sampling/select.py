"""Which masked positions a step commits (server/engine/sampling/select.ts): confidence is -inf where a
position is not eligible."""

from __future__ import annotations

import torch
from torch import Tensor


def select_scheduled(confidence: Tensor, counts: Tensor) -> Tensor:
    """Per row, the `counts[row]` most confident positions; ties go to the lower position (a stable sort)."""
    order = confidence.argsort(dim=1, descending=True, stable=True)
    ranks = torch.empty_like(order)
    ranks.scatter_(1, order, torch.arange(order.shape[1], device=order.device).expand_as(order))
    return ranks < counts[:, None]


def select_threshold(confidence: Tensor, threshold: float) -> Tensor:
    """Every eligible position above the threshold, and always the most confident one of each row."""
    chosen = confidence > threshold
    best = confidence.argmax(dim=1, keepdim=True)
    has_candidate = torch.isfinite(confidence.gather(1, best))
    chosen.scatter_(1, best, has_candidate | chosen.gather(1, best))
    return chosen & torch.isfinite(confidence)
