"""Advantages of the unified objective, per group of rollouts of one prompt.

GRPO: (r - mean) / (std + eps) within the group (population std). Self-distillation: 1 for the best rollout
of the group, 0 for the rest; a group whose best reward is 0 has nothing worth distilling and gets all zeros.
Aggregate (LaViDa-R1): A = gamma * A_distill + (1 - gamma) * A_GRPO.
"""
from __future__ import annotations

import torch
from torch import Tensor


def grpo_advantages(rewards: Tensor, eps: float = 1e-6) -> Tensor:
    """rewards [G, N] → [G, N]; a group with equal rewards gets zeros."""
    centred = rewards - rewards.mean(dim=1, keepdim=True)
    return centred / (rewards.std(dim=1, unbiased=False, keepdim=True) + eps)


def distill_advantages(rewards: Tensor) -> Tensor:
    """[G, N] → one-hot of each group's first best rollout, zero rows where the best reward is not positive."""
    best = torch.zeros_like(rewards)
    best.scatter_(1, rewards.argmax(dim=1, keepdim=True), 1.0)
    return best * (rewards.max(dim=1, keepdim=True).values > 0)


def unified_advantages(rewards: Tensor, gamma: float) -> Tensor:
    return gamma * distill_advantages(rewards) + (1 - gamma) * grpo_advantages(rewards)
