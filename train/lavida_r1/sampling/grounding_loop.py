"""Grounding loop: one box as `<LOC_BEGIN><LOC_x1><LOC_y1><LOC_x2><LOC_y2><LOC_END><|eot_id|>`, decoded in 1, 2
or 4 passes over the four LOC slots (LaViDa-O), with the model behind a `LocDenoise`
(server/engine/sampling/grounding.ts is the same loop in TypeScript).

Each pass takes the candidate box of `valid_box.box_candidates` (the most probable valid box given the slots
committed so far; at temperature > 0 a box drawn from the valid ones) and commits its most confident 4/steps
masked slots. The box is always valid: x2 > x1 and y2 > y1 in bins and, with `image_sizes` (each row's original
image size), in pixels after `bins_to_box`. The bin <-> pixel mapping lives in `lavida_r1.boxes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .denoise import LocDenoise, LocTokenIds
from .select import select_scheduled
from .valid_box import box_candidates, slot_ranges

LOC_SLOTS = 4


@dataclass
class GroundingSample:
    bins: Tensor  # [B, 4] LOC bins x1, y1, x2, y2 (0..1024)
    tokens: Tensor  # [B, 7] the answer canvas, LOC_BEGIN .. EOT
    nfe: int


def grounding_canvas(ids: LocTokenIds, batch: int, device: torch.device | str = "cpu") -> Tensor:
    row = [ids.loc_begin_id] + [ids.mask_token_id] * LOC_SLOTS + [ids.loc_end_id, ids.eot_token_id]
    return torch.tensor(row, device=device).repeat(batch, 1)


def sample_box(
    denoise: LocDenoise,
    ids: LocTokenIds,
    batch: int,
    steps: int = 1,
    image_sizes: list[tuple[int, int]] | None = None,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> GroundingSample:
    if steps not in (1, 2, 4):
        raise ValueError("grounding steps must be 1, 2 or 4")
    canvas = grounding_canvas(ids, batch, device)
    ranges = slot_ranges(image_sizes, batch, ids.num_loc_bins)
    per_step = torch.full((batch,), LOC_SLOTS // steps, device=device)
    for step in range(steps):
        logits = denoise(canvas, step)
        slots = canvas[:, 1 : 1 + LOC_SLOTS]
        masked = slots == ids.mask_token_id
        committed = torch.where(masked, -1, slots - ids.loc_token_offset)
        bins, confidence = box_candidates(logits, committed, ranges, temperature, generator)
        chosen = select_scheduled(confidence.masked_fill(~masked, float("-inf")), per_step) & masked
        canvas[:, 1 : 1 + LOC_SLOTS] = torch.where(chosen, bins + ids.loc_token_offset, slots)
    return GroundingSample(canvas[:, 1 : 1 + LOC_SLOTS] - ids.loc_token_offset, canvas, steps)
