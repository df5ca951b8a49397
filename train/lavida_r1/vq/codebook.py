"""Dead-code restarts: codes no batch picked since the last restart are re-seeded from encoder outputs.

The codebook is trained by gradient (the VQ loss), which never moves a code that nothing selects; diffusers
initialises codes in a tiny ball (±1/n) far from the encoder outputs, so without restarts most stay dead.
The first restart (step 0, nothing used yet) therefore initialises the whole codebook from the first batch.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


@torch.no_grad()
def restart_dead_codes(
    embedding: nn.Embedding, usage: Tensor, latents: Tensor, generator: torch.Generator, by_error: bool = False
) -> int:
    """Re-seeds codes with usage 0 from rows of `latents` [N, C] (with a little noise so two restarted codes never
    coincide); returns how many were restarted. Rows are drawn uniformly, or with `by_error` in proportion to their
    squared distance to the nearest live code, so restarts go to the inputs the codebook represents worst rather
    than to the most frequent ones (on flat-colour images, the background cells every code already covers)."""
    dead = (usage == 0).nonzero().flatten()
    if dead.numel() == 0:
        return 0
    live = embedding.weight[usage > 0]
    if by_error and live.numel():
        error = torch.cdist(latents, live).min(dim=1).values.pow(2)
        rows = torch.multinomial(error + 1e-12, dead.numel(), replacement=True, generator=generator)
    else:
        rows = torch.randint(0, latents.shape[0], (dead.numel(),), generator=generator)
    noise = torch.randn(dead.numel(), latents.shape[1], generator=generator) * 0.01 * latents.std()
    embedding.weight[dead] = latents[rows] + noise
    return int(dead.numel())
