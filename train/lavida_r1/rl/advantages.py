"""Advantages of the unified objective, per group of rollouts of one prompt.

GRPO: (r - mean) / max(std, floor) within the group (population std). Self-distillation: 1 for the best
rollout of the group, 0 for the rest, and all zeros when the best reward is below the floor.
Aggregate (LaViDa-R1): A = gamma * A_distill + (1 - gamma) * A_GRPO.

The floor (`reward_noise_floor`, in reward units) keeps noise from being amplified: a group whose rewards
differ by less than it (IoUs of [0, 0, 0, 0.01]) keeps advantages as small as its differences instead of
being stretched to unit spread ([-0.58, -0.58, -0.58, 1.73]), and a best rollout below it is not imitated.
0/1 groups with a success and a failure are not affected (their std is at least 0.1 up to 99 rollouts).
"""

from __future__ import annotations

import torch
from torch import Tensor


def grpo_advantages(rewards: Tensor, floor: float) -> Tensor:
    """rewards [G, N] → [G, N]; a group with equal rewards gets zeros."""
    centred = rewards - rewards.mean(dim=1, keepdim=True)
    return centred / rewards.std(dim=1, unbiased=False, keepdim=True).clamp(min=floor)


def distill_advantages(rewards: Tensor, floor: float) -> Tensor:
    """[G, N] → one-hot of each group's first best rollout, zero rows where the best reward is below `floor`."""
    best = torch.zeros_like(rewards)
    best.scatter_(1, rewards.argmax(dim=1, keepdim=True), 1.0)
    return best * (rewards.max(dim=1, keepdim=True).values >= floor)


def unified_advantages(rewards: Tensor, gamma: float, floor: float) -> Tensor:
    return gamma * distill_advantages(rewards, floor) + (1 - gamma) * grpo_advantages(rewards, floor)
