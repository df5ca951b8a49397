"""Grounding: one box as `<LOC_BEGIN><LOC_x1><LOC_y1><LOC_x2><LOC_y2><LOC_END>`, decoded in 1, 2 or 4 parallel
steps over the four LOC slots (LaViDa-O), constrained so the box is always valid (`valid_box`).

The bin <-> pixel mapping lives in `lavida_r1.boxes`.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..model import LavidaForMaskedDiffusion
from .text import prompt_positions, select_scheduled
from .valid_box import box_candidates, slot_ranges

LOC_SLOTS = 4


@dataclass
class GroundingSample:
    bins: Tensor        # [B, 4] LOC bins x1, y1, x2, y2 (0..1024)
    tokens: Tensor      # [B, 7] the answer canvas, LOC_BEGIN .. EOT
    nfe: int


def grounding_canvas(model: LavidaForMaskedDiffusion, batch: int, device: torch.device) -> Tensor:
    c = model.config
    row = [c.loc_begin_id] + [c.mask_token_id] * LOC_SLOTS + [c.loc_end_id, c.eot_token_id]
    return torch.tensor(row, device=device).repeat(batch, 1)


@torch.no_grad()
def generate_box(model: LavidaForMaskedDiffusion, prompt_ids: Tensor, image_features: Tensor | None = None,
                 prompt_mask: Tensor | None = None, steps: int = 1, temperature: float = 0.0,
                 seed: int | None = None, image_sizes: list[tuple[int, int]] | None = None) -> GroundingSample:
    """LOC decoding: each step takes the candidate box of `valid_box.box_candidates` (the most probable valid
    box given the slots committed so far, logits restricted to LOC tokens; at temperature > 0 a box drawn from
    the valid ones) and commits its most confident 4/steps masked slots. The box is always valid: x2 > x1 and
    y2 > y1 in bins and, with `image_sizes` (each row's original image size), in pixels after `bins_to_box`."""
    if steps not in (1, 2, 4):
        raise ValueError("grounding steps must be 1, 2 or 4")
    c = model.config
    batch, device = prompt_ids.shape[0], prompt_ids.device
    if prompt_mask is None:
        prompt_mask = torch.ones_like(prompt_ids)
    cache = model(prompt_ids, image_features=image_features, attention_mask=prompt_mask,
                  position_ids=prompt_positions(prompt_mask), use_cache=True).cache
    canvas = grounding_canvas(model, batch, device)
    positions = prompt_mask.long().sum(dim=1, keepdim=True) + torch.arange(canvas.shape[1], device=device)[None]
    loc = slice(c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)
    ranges = slot_ranges(image_sizes, batch, c.num_loc_bins)
    per_step = torch.full((batch,), LOC_SLOTS // steps, device=device)
    generator = torch.Generator(device=device).manual_seed(seed) if seed is not None else None
    for _ in range(steps):
        logits = model(canvas, attention_mask=torch.ones_like(canvas), position_ids=positions, past=cache).logits
        slots = canvas[:, 1:1 + LOC_SLOTS]
        masked = slots == c.mask_token_id
        committed = torch.where(masked, -1, slots - c.loc_token_offset)
        bins, confidence = box_candidates(logits[:, 1:1 + LOC_SLOTS, loc], committed, ranges, temperature, generator)
        chosen = select_scheduled(confidence.masked_fill(~masked, float("-inf")), per_step) & masked
        canvas[:, 1:1 + LOC_SLOTS] = torch.where(chosen, bins + c.loc_token_offset, slots)
    return GroundingSample(canvas[:, 1:1 + LOC_SLOTS] - c.loc_token_offset, canvas, steps)
