"""An exponential moving average of the trainable weights: the published model of a run.

Decay ramps up as min(decay, (1 + step) / (10 + step)), so early averages are not dominated by the
initialisation. Buffers and frozen weights (the VQ tokenizer) are copied, not averaged.
"""

from __future__ import annotations

import copy

import torch

from ..model import LavidaForMaskedDiffusion


class WeightAverage:
    def __init__(self, model: LavidaForMaskedDiffusion, decay: float) -> None:
        self.decay = decay
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: LavidaForMaskedDiffusion, step: int) -> None:
        """Folds in the weights after optimizer step `step` (0-based)."""
        decay = min(self.decay, (1 + step) / (10 + step))
        averaged = dict(self.model.named_parameters())
        for name, live in model.named_parameters():
            if live.requires_grad:
                averaged[name].lerp_(live.detach(), 1 - decay)
