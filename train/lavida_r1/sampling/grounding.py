"""Grounding on the PyTorch model: the `grounding_loop` with the LOC logits of a pass over the canvas against
the prompt's prefix cache."""

from __future__ import annotations

import torch
from torch import Tensor

from ..model import LavidaForMaskedDiffusion
from .grounding_loop import LOC_SLOTS, GroundingSample, sample_box
from .text import answer_positions, prefill


@torch.no_grad()
def generate_box(
    model: LavidaForMaskedDiffusion,
    prompt_ids: Tensor,
    image_features: Tensor | None = None,
    prompt_mask: Tensor | None = None,
    steps: int = 1,
    temperature: float = 0.0,
    seed: int | None = None,
    image_sizes: list[tuple[int, int]] | None = None,
) -> GroundingSample:
    """The box of each prompt row (`grounding_loop.sample_box`); `image_sizes`: each row's original image size."""
    c = model.config
    device = prompt_ids.device
    if prompt_mask is None:
        prompt_mask = torch.ones_like(prompt_ids)
    cache = prefill(model, prompt_ids, prompt_mask, image_features)
    positions = answer_positions(prompt_mask, LOC_SLOTS + 3)
    loc = slice(c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)

    def denoise(canvas: Tensor, step: int) -> Tensor:
        logits = model(canvas, attention_mask=torch.ones_like(canvas), position_ids=positions, past=cache).logits
        return logits[:, 1 : 1 + LOC_SLOTS, loc]

    generator = torch.Generator(device=device).manual_seed(seed) if seed is not None else None
    return sample_box(denoise, c, prompt_ids.shape[0], steps, image_sizes, temperature, generator, device)
