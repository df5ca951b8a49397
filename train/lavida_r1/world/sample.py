"""The sample record every family produces, and the SFT target text built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from ..boxes import box_to_bins
from .raster import Box

FAMILIES: tuple[str, ...] = ("math", "chart", "mcq", "grounding", "edit")
# Perception-stage families: trained on, never benchmarked (see perception_tasks).
TRAINING_FAMILIES: tuple[str, ...] = ("caption", "locate", "spot", "read", "name")
BOX_FAMILIES = ("grounding", "locate", "spot")

BoxFormatter = Callable[[Box, int, int], str]


@dataclass(frozen=True)
class Sample:
    """One world task.

    image:        the input image (the edit source for `edit`).
    question:     bare question, or the edit instruction.
    prompt:       the benchmark-style prompt text a model gets (see each family module).
    options:      choice texts (math multi_choice, mcq), else None.
    answer:       the canonical answer string as the benchmark file stores it: math = MathVista `answer`
                  (choice text for multi_choice), chart = ChartQA `label`, mcq = letter, grounding =
                  "[x1, y1, x2, y2]", edit = "" (the answer is `target_image`).
    reasoning:    a short reasoning trace (the edit plan for `edit`).
    target_answer: what goes inside <answer>…</answer> (e.g. the letter for math multi_choice).
    box:          grounding box in image pixels, x2/y2 exclusive.
    target_image: the exact edited image for `edit`.
    meta:         family-specific fields the writers need (documented in each family module). Families that
                  draw shape scenes (math, mcq, grounding, caption, locate, spot, name) also hold `drawn_objects`: the
                  scene's `Obj`s, at their place in the image, or None when the image shows none; the SFT
                  object readout's per-token labels. `generate` adds `drawn_glyphs` to every sample: the
                  characters drawn on the image (`font.Glyph`), the glyph readout's.
    """

    id: str
    family: str
    image: Image.Image
    question: str
    prompt: str
    answer: str
    reasoning: str
    target_answer: str = ""
    options: list[str] | None = None
    box: Box | None = None
    target_image: Image.Image | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def loc_tokens(box: Box, width: int, height: int) -> str:
    """LaViDa-O LOC format: 1025 bins over the image padded to a square (see lavida_r1.boxes)."""
    bins = box_to_bins(list(box), (width, height))
    return "<LOC_BEGIN>" + "".join(f"<LOC_{b}>" for b in bins) + "<LOC_END>"


def sft_target(sample: Sample, box_formatter: BoxFormatter = loc_tokens) -> str:
    """Short reasoning then `<answer>…</answer>`. Grounding answers use `box_formatter`; an edit's target
    is its plan only (the model layer appends the target image tokens), a caption's, a reading's or a naming's the
    text only."""
    if sample.family in ("edit", "caption", "read", "name"):
        return sample.reasoning
    if sample.family in BOX_FAMILIES:
        assert sample.box is not None
        inner = box_formatter(sample.box, sample.image.width, sample.image.height)
    else:
        inner = sample.target_answer or sample.answer
    return f"{sample.reasoning} <answer>{inner}</answer>"
