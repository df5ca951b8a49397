"""Distance-aware targets for `<LOC_i>` tokens.

A one-hot target treats LOC_400 as exactly as wrong as LOC_0 when the answer is LOC_401, so a small model gets
no signal about *where* a box edge lies until it guesses the exact bin. A discretised Gaussian over the bins
(σ in bins) keeps the mode on the true bin and rewards near misses, which is what IoU scores.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..model.config import LavidaConfig


def loc_aware_cross_entropy(logits: Tensor, targets: Tensor, config: LavidaConfig, sigma: float) -> Tensor:
    """Summed cross-entropy of `logits` [n, vocab] against `targets` [n]; LOC targets get Gaussian soft labels."""
    offset, bins = config.loc_token_offset, config.num_loc_bins
    is_loc = (targets >= offset) & (targets < offset + bins)
    if sigma <= 0 or not bool(is_loc.any()):
        return F.cross_entropy(logits, targets, reduction="sum")
    plain = (
        F.cross_entropy(logits[~is_loc], targets[~is_loc], reduction="sum")
        if bool((~is_loc).any())
        else logits.sum() * 0
    )
    centre = (targets[is_loc] - offset).to(logits.dtype)[:, None]
    grid = torch.arange(bins, dtype=logits.dtype, device=logits.device)[None]
    weights = torch.exp(-0.5 * ((grid - centre) / sigma) ** 2)
    weights = weights / weights.sum(dim=1, keepdim=True)
    log_probs = F.log_softmax(logits[is_loc], dim=-1)[:, offset : offset + bins]
    return plain - (weights * log_probs).sum()
