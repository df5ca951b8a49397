"""Image sampler loop: MaskGIT-style parallel decoding of a grid x grid VQ canvas (LaViDa-O text_to_image /
editing), with the model behind a `Denoise` (server/engine/sampling/image.ts is the same loop in TypeScript).

Each step commits the next positions: in the fixed stratified order, or the most confident masked ones. Counts
per step follow the shift schedule (shift 5 for images). Guidance and temperature act on logits, so they live
behind the denoiser, which gets the step index for the cosine temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .denoise import Denoise
from .order import stratified_order
from .schedules import transfer_counts
from .select import select_scheduled

ORDERS = ("stratified", "confidence")


@dataclass
class ImageSamplerConfig:
    steps: int = 64
    shift: float = 5.0
    temperature: float = 0.8  # 0: greedy
    min_temperature: float = 0.5  # with dynamic_temperature: cosine decay to this
    dynamic_temperature: bool = True
    guidance_scale: float = 1.2  # text CFG scale s (0: off)
    image_guidance_scale: float = 1.4  # image CFG scale s_img for edits (0: off)
    order: str = "stratified"  # or "confidence"
    order_seed: int = 42
    seed: int | None = None


@dataclass
class ImageSample:
    vq: Tensor  # [B, H, W] VQ ids
    unmask_step: Tensor  # [B, H*W] step at which each token was committed (-1: given in init_vq)
    nfe: int  # denoising passes


def sample_image(
    denoise: Denoise,
    mask_id: int,
    config: ImageSamplerConfig,
    grid: int,
    batch: int,
    init_vq: Tensor | None = None,
    start_step: int = 0,
    device: torch.device | str = "cpu",
) -> ImageSample:
    """Decodes `batch` canvases of grid x grid VQ ids; the denoiser sees them flat, [B, grid * grid].
    init_vq/start_step resume from a partial canvas (tree-search branching): the schedule continues at
    `start_step` and positions already set in init_vq stay."""
    if config.order not in ORDERS:
        raise ValueError(f"unknown order {config.order!r} (stratified or confidence)")
    tokens = grid * grid
    canvas = (
        init_vq.reshape(batch, tokens).clone()
        if init_vq is not None
        else torch.full((batch, tokens), mask_id, dtype=torch.long, device=device)
    )
    unmask_step = torch.full_like(canvas, -1)
    counts = transfer_counts(tokens, config.steps, "shift", config.shift)
    order = torch.tensor(stratified_order(grid, grid, config.order_seed), device=device)
    done = sum(counts[:start_step])
    for step in range(start_step, config.steps):
        masked = canvas == mask_id
        out = denoise(canvas, step)
        if config.order == "stratified":
            chosen = torch.zeros_like(masked)
            chosen[:, order[done : done + counts[step]]] = True
            chosen &= masked
        else:
            k = torch.full((batch,), counts[step], device=device)
            chosen = select_scheduled(out.confidence.masked_fill(~masked, float("-inf")), k) & masked
        done += counts[step]
        canvas = torch.where(chosen, out.ids, canvas)
        unmask_step = torch.where(chosen, step, unmask_step)
    return ImageSample(canvas.reshape(batch, grid, grid), unmask_step, config.steps - start_step)
