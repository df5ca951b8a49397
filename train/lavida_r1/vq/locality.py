"""Locality of the tokenizer: the cells (one latent position, an f x f pixel patch) an edit leaves unchanged, and
the training term that asks the encoder to give them the same latents in the source and the target.

Batches hold (source, target) pairs interleaved: rows 0, 2, 4, ... are sources and rows 1, 3, 5, ... their targets.
"""

from __future__ import annotations

from torch import Tensor


def unchanged_cells(sources: Tensor, targets: Tensor, cell: int) -> Tensor:
    """Pixels [P, 3, S, S] of P (source, target) pairs → bool [P, S/cell, S/cell]: every pixel of the cell is
    identical in the source and the target."""
    same = (sources == targets).all(dim=1)
    pairs, size = same.shape[0], same.shape[1] // cell
    return same.reshape(pairs, size, cell, size, cell).all(dim=4).all(dim=2)


def locality_loss(latents: Tensor, pixels: Tensor, cell: int) -> Tensor:
    """Mean squared difference of the pre-quantization latents [B, C, h, w] of each pair over its unchanged cells,
    divided by the latents' variance so the term cannot be lowered by shrinking the latent scale. Zero when no
    cell is unchanged."""
    unchanged = unchanged_cells(pixels[0::2], pixels[1::2], cell)
    if not unchanged.any():
        return latents.new_zeros(())
    squared = (latents[0::2] - latents[1::2]).pow(2).mean(dim=1)  # [P, h, w]
    return squared[unchanged].mean() / (latents.var() + 1e-8)
