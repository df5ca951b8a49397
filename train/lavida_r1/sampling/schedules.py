"""How many tokens each denoising step unmasks, and the image temperature schedule."""

from __future__ import annotations

import math

import torch


def uniform_counts(masked: int, steps: int) -> list[int]:
    """LLaDA's schedule: masked // steps per step, the remainder spread over the first steps."""
    base, extra = divmod(masked, steps)
    return [base + (1 if i < extra else 0) for i in range(steps)]


def shift_counts(masked: int, steps: int, shift: float) -> list[int]:
    """LaViDa's timestep-shift schedule.

    sigma(t) = s*t / (1 + (s-1)*t) on t = 0..1 (steps+1 points); counts are the differences of
    floor(sigma * masked), at least 1, in reverse order. s > 1 unmasks fewer tokens early, s < 1 more.
    """
    t = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    sigma = shift * t / (1 + (shift - 1) * t)
    counts = torch.diff(torch.floor(sigma * masked)).clamp(min=1).flip(0)
    return [int(c) for c in counts]


def transfer_counts(masked: int, steps: int, schedule: str, shift: float) -> list[int]:
    """Per-step counts that unmask exactly `masked` tokens: the last step takes whatever remains."""
    if steps < 1:
        raise ValueError("steps must be at least 1")
    if schedule == "uniform":
        counts = uniform_counts(masked, steps)
    elif schedule == "shift":
        counts = shift_counts(masked, steps, shift)
    else:
        raise ValueError(f"unknown schedule {schedule!r} (uniform or shift)")
    out, remaining = [], masked
    for i, c in enumerate(counts):
        take = remaining if i == steps - 1 else min(c, remaining)
        out.append(take)
        remaining -= take
    return out


def cosine_temperature(step: int, steps: int, start: float, end: float) -> float:
    """Cosine decay from `start` at step 0 to `end` at the last step (image sampling)."""
    if steps <= 1:
        return start
    progress = step / (steps - 1)
    return end + (start - end) * 0.5 * (1 + math.cos(math.pi * progress))
