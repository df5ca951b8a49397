"""Condition dropout for edits, which makes classifier-free guidance meaningful: a row of an edit batch keeps its
conditions, or is trained as guidance's image-unconditional variant (the source image's slots masked) or as its
unconditional variant (the instruction masked as well). The variants are `sampling.image.guidance_variants`, so
training sees exactly the sequences that guided sampling runs.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from ..data.batch import Batch
from ..model.config import LavidaConfig
from ..prompts import edit_condition_mask
from ..sampling.image import guidance_variants
from .share import Share


def drop_edit_conditions(
    batch: Batch, config: LavidaConfig, generator: torch.Generator, share: Share, drop_image: float, drop_all: float
) -> Batch:
    """Each row of the whole batch draws u ~ U(0, 1): u < `drop_all` → unconditional, u < `drop_all` + `drop_image`
    → image-unconditional, else unchanged; this share's rows are rewritten. One draw per row of the whole batch
    from `generator` (on the CPU), so the choice does not depend on how many processes share the batch."""
    draws = torch.rand(share.size, generator=generator)[share.rows]
    variant = torch.where(draws < drop_all, 2, torch.where(draws < drop_all + drop_image, 1, 0))
    ids = batch.prompt_ids.cpu()
    condition = torch.tensor([edit_condition_mask(config, row) for row in ids.tolist()])
    variants = torch.stack(guidance_variants(config, ids, condition, edit=True))  # [3, B, P]
    chosen = variants[variant, torch.arange(ids.shape[0])]
    return replace(batch, prompt_ids=chosen.to(batch.prompt_ids.device))
