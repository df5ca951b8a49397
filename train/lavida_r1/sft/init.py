"""Fresh weights for a model trained from scratch (GPT-style: N(0, std), residual outputs scaled down).

The LOC rows of the token embedding and of the head start smooth in the bin index (`smooth_loc_rows`): 1025
bins that share no structure each see about a hundred targets in a CPU run, while neighbouring bins that start
alike learn from each other's targets.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ..model import LavidaForMaskedDiffusion

# Trained separately (VQ) or initialised by transformers' own rules (SigLIP).
KEEP = ("model.vqvae", "model.vision_tower")
LOC_ANCHOR_EVERY = 32  # bins between two independent anchor rows


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
    c, transformer = model.config, model.model.transformer
    loc = slice(c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)
    for table in (transformer.wte.weight, transformer.ff_out.weight):
        table[loc] = smooth_loc_rows(c.num_loc_bins, table.shape[1], std)


def smooth_loc_rows(bins: int, width: int, std: float) -> Tensor:
    """Rows linearly interpolated between N(0, std) anchors every LOC_ANCHOR_EVERY bins, rescaled to std.

    Bins a few apart are nearly parallel, bins far apart nearly orthogonal."""
    anchors = torch.randn(math.ceil((bins - 1) / LOC_ANCHOR_EVERY) + 1, width) * std
    position = torch.arange(bins, dtype=torch.float32) / LOC_ANCHOR_EVERY
    low = position.floor().long().clamp(max=anchors.shape[0] - 2)
    frac = (position - low)[:, None]
    rows = (1 - frac) * anchors[low] + frac * anchors[low + 1]
    return rows * (std / rows.std(dim=1, keepdim=True))
