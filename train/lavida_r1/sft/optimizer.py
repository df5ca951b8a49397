"""The SFT optimizer: AdamW over everything but the frozen VQ tokenizer, the image pathway in its own group, and
the learning-rate schedule."""

from __future__ import annotations

import math
from typing import Protocol

import torch

from ..model import LavidaForMaskedDiffusion
from .config import SFTConfig


class Schedule(Protocol):
    lr: float
    min_lr: float
    warmup_steps: int
    steps: int


def learning_rate(config: Schedule, step: int) -> float:
    """Linear warm-up, then cosine decay to min_lr."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(config.steps - config.warmup_steps, 1)
    return config.min_lr + (config.lr - config.min_lr) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


VISION = ("model.vision_tower.", "model.vision_resampler.", "model.mm_projector.", "model.image_newline")


def trainable(model: LavidaForMaskedDiffusion) -> list[torch.nn.Parameter]:
    """Everything but the VQ tokenizer, which is trained on its own and frozen here."""
    return [p for n, p in model.named_parameters() if not n.startswith("model.vqvae.")]


def make_optimizer(
    model: LavidaForMaskedDiffusion, config: SFTConfig, readout: torch.nn.Module | None = None
) -> torch.optim.AdamW:
    """Two groups: the image pathway (vision tower, pool, projector, newline) at `vision_lr_scale` of the
    learning rate with its own weight decay, and the rest; a third for the readout heads when there are any."""
    named = [(n, p) for n, p in model.named_parameters() if not n.startswith("model.vqvae.")]
    vision = [p for n, p in named if n.startswith(VISION)]
    rest = [p for n, p in named if not n.startswith(VISION)]
    groups = [
        {"params": rest, "weight_decay": config.weight_decay, "lr_scale": 1.0},
        {"params": vision, "weight_decay": config.vision_weight_decay, "lr_scale": config.vision_lr_scale},
    ]
    if readout is not None:
        groups.append({"params": list(readout.parameters()), "weight_decay": 0.0, "lr_scale": 1.0})
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.95))
