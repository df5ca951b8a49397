"""Dead-code restarts: codes no batch picked since the last restart are re-seeded from encoder outputs.

The codebook is trained by gradient (the VQ loss), which never moves a code that nothing selects; diffusers
initialises codes in a tiny ball (±1/n) far from the encoder outputs, so without restarts most stay dead.
The first restart (step 0, nothing used yet) therefore initialises the whole codebook from the first batch.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


@torch.no_grad()
def restart_dead_codes(embedding: nn.Embedding, usage: Tensor, latents: Tensor, generator: torch.Generator) -> int:
    """Re-seeds codes with usage 0 from random rows of `latents` [N, C] (with a little noise so two restarted
    codes never coincide); returns how many were restarted."""
    dead = (usage == 0).nonzero().flatten()
    if dead.numel() == 0:
        return 0
    rows = torch.randint(0, latents.shape[0], (dead.numel(),), generator=generator)
    noise = torch.randn(dead.numel(), latents.shape[1], generator=generator) * 0.01 * latents.std()
    embedding.weight[dead] = latents[rows] + noise
    return int(dead.numel())
