"""Fresh weights for a model trained from scratch (GPT-style: N(0, std), residual outputs scaled down)."""
from __future__ import annotations

import math

import torch
from torch import nn

from ..model import LavidaForMaskedDiffusion

# Trained separately (VQ) or initialised by transformers' own rules (SigLIP).
KEEP = ("model.vqvae", "model.vision_tower")


@torch.no_grad()
def initialize(model: LavidaForMaskedDiffusion, std: float) -> None:
    residual_std = std / math.sqrt(2 * model.config.n_layers)
    for name, module in model.named_modules():
        if name.startswith(KEEP):
            continue
        if isinstance(module, (nn.Linear, nn.Embedding)):
            is_residual_out = ".blocks." in name and name.endswith(("attn_out", "ff_out", "ff_out_vision"))
            nn.init.normal_(module.weight, 0.0, residual_std if is_residual_out else std)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
    nn.init.normal_(model.model.image_newline, 0.0, std)
