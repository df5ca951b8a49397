"""Image sampler: MaskGIT-style parallel decoding of the VQ canvas (LaViDa-O text_to_image / editing).

Every step runs the full mixed sequence (no cache), samples candidate VQ ids from temperature-scaled logits,
and commits the next positions: in the fixed stratified order, or the most confident masked ones. Counts per
step follow the shift schedule (shift 5 for images). Classifier-free guidance combines logits of a batch of
variants: the conditional sequence, one with the image conditions masked (editing) and one with every
condition masked:
    edit:  g' = (1 + s_img)·cond − s_img·uncond_img;  logits = (1 + s)·g' − s·uncond
    T2I:   logits = (1 + s)·cond − s·uncond
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..model import LavidaForMaskedDiffusion
from .noise import choose_tokens
from .order import stratified_order
from .schedules import cosine_temperature, transfer_counts
from .text import select_scheduled


@dataclass
class ImageSamplerConfig:
    steps: int = 64
    shift: float = 5.0
    temperature: float = 0.8             # 0: greedy
    min_temperature: float = 0.5         # with dynamic_temperature: cosine decay to this
    dynamic_temperature: bool = True
    guidance_scale: float = 1.2          # text CFG scale s (0: off)
    image_guidance_scale: float = 1.4    # image CFG scale s_img for edits (0: off)
    order: str = "stratified"            # or "confidence"
    order_seed: int = 42
    seed: int | None = None


@dataclass
class ImageSample:
    vq: Tensor            # [B, H, W] VQ ids
    unmask_step: Tensor   # [B, H*W] step at which each token was committed (-1: given in init_vq)
    nfe: int              # forward passes of the (guidance-expanded) batch


def guidance_variants(model: LavidaForMaskedDiffusion, input_ids: Tensor, condition_mask: Tensor,
                      edit: bool) -> list[Tensor]:
    """[cond, uncond_img (edit only), uncond] id rows. Masked conditions become the text mask token, so their
    image features and edit VQ slots drop out of the sequence."""
    c = model.config
    image_slots = (input_ids == c.image_token_id) | (input_ids == c.edit_token_id)
    uncond = torch.where(condition_mask | image_slots, c.mask_token_id, input_ids)
    if not edit:
        return [input_ids, uncond]
    return [input_ids, torch.where(image_slots, c.mask_token_id, input_ids), uncond]


def combine_guidance(logits: list[Tensor], config: ImageSamplerConfig) -> Tensor:
    cond = logits[0]
    if len(logits) == 3:
        cond = (1 + config.image_guidance_scale) * cond - config.image_guidance_scale * logits[1]
    return (1 + config.guidance_scale) * cond - config.guidance_scale * logits[-1]


@torch.no_grad()
def generate_image(model: LavidaForMaskedDiffusion, input_ids: Tensor, config: ImageSamplerConfig,
                   grid: int | None = None, image_features: Tensor | None = None, edit_vq: Tensor | None = None,
                   condition_mask: Tensor | None = None, init_vq: Tensor | None = None,
                   start_step: int = 0, prefix_len: int | None = None) -> ImageSample:
    """Fills the `gen_token_id` slots of `input_ids` [B, L] with a VQ image of grid x grid tokens.

    condition_mask [B, L]: the instruction/caption tokens that guidance masks (required when a guidance scale
    is non-zero). init_vq/start_step resume from a partial canvas (tree-search branching): the schedule
    continues at `start_step` and positions already set in init_vq stay. prefix_len: the prompt attends to
    the prompt only (the prefix-LM pattern of a model trained that way); None: fully bidirectional.
    """
    c = model.config
    batch, device = input_ids.shape[0], input_ids.device
    grid = grid or c.vq.grid_size
    tokens = grid * grid
    mask_id = c.image_mask_token_id
    canvas = init_vq.reshape(batch, tokens).clone() if init_vq is not None else \
        torch.full((batch, tokens), mask_id, dtype=torch.long, device=device)
    unmask_step = torch.full_like(canvas, -1)
    use_guidance = config.guidance_scale != 0 or (edit_vq is not None and config.image_guidance_scale != 0)
    if use_guidance and condition_mask is None:
        raise ValueError("guidance needs condition_mask (the tokens to drop in the unconditional variants)")
    variants = guidance_variants(model, input_ids, condition_mask, edit_vq is not None) if use_guidance else [input_ids]
    ids = torch.cat(variants)
    repeat = lambda t: None if t is None else t.repeat(len(variants), *([1] * (t.dim() - 1)))
    features, edit = repeat(image_features), repeat(edit_vq)
    counts = transfer_counts(tokens, config.steps, "shift", config.shift)
    order = torch.tensor(stratified_order(grid, grid, config.order_seed), device=device)
    generator = torch.Generator(device=device).manual_seed(config.seed) if config.seed is not None else None
    done = sum(counts[:start_step])
    for step in range(start_step, config.steps):
        masked = canvas == mask_id
        out = model(ids, image_features=features, edit_vq=edit, gen_vq=repeat(canvas.reshape(batch, grid, grid)),
                    prefix_len=prefix_len)
        logits = combine_guidance(list(out.image_logits.chunk(len(variants))), config)
        temperature = config.temperature
        if config.dynamic_temperature and temperature > 0:
            temperature = cosine_temperature(step, config.steps, config.temperature, config.min_temperature)
        x0, confidence = choose_tokens(logits, temperature, "low_confidence", generator)
        if config.order == "stratified":
            chosen = torch.zeros_like(masked)
            chosen[:, order[done:done + counts[step]]] = True
            chosen &= masked
        elif config.order == "confidence":
            k = torch.full((batch,), counts[step], device=device)
            chosen = select_scheduled(confidence.masked_fill(~masked, float("-inf")), k) & masked
        else:
            raise ValueError(f"unknown order {config.order!r} (stratified or confidence)")
        done += counts[step]
        canvas = torch.where(chosen, x0, canvas)
        unmask_step = torch.where(chosen, step, unmask_step)
    return ImageSample(canvas.reshape(batch, grid, grid), unmask_step, config.steps - start_step)
