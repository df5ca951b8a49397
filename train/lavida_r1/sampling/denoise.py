"""The seam between the sampler loops and whatever runs the model: the PyTorch model (`text`, `grounding`,
`image`), ONNX Runtime (`lavida_r1.export.ort_denoise`), fakes in the parity tests. The loops own the canvas,
the schedule and which positions commit; a denoiser turns a canvas into candidates. Mirrors the TypeScript
engine's server/engine/sampling/types.ts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from torch import Tensor


@dataclass
class Candidates:
    """Per canvas position [B, L]: the candidate token (greedy: the argmax) and its confidence (float64)."""

    ids: Tensor
    confidence: Tensor


@dataclass(frozen=True)
class BlockPass:
    """The block [start, end) a text pass decodes, and whether the pass is the block's first (the dual cache
    refreshes then)."""

    start: int
    end: int
    first: bool


class Denoise(Protocol):
    """One denoising pass over the canvas [B, L]; `step` counts passes from 0 (the image temperature schedule
    reads it). Text loops say which block they decode: candidates outside it may be anything."""

    def __call__(self, canvas: Tensor, step: int, block: BlockPass | None = None) -> Candidates: ...


LocDenoise = Callable[[Tensor, int], Tensor]
"""One pass over the grounding canvas [B, 7]: the LOC logits [B, 4, bins] of its four slots."""

StepCallback = Callable[[int, Tensor], None]
"""Called after every text pass with the number of passes so far and the canvas (streaming)."""


class TextTokenIds(Protocol):
    mask_token_id: int
    eos_token_id: int
    eot_token_id: int


class LocTokenIds(Protocol):
    mask_token_id: int
    eot_token_id: int
    loc_begin_id: int
    loc_end_id: int
    loc_token_offset: int
    num_loc_bins: int
