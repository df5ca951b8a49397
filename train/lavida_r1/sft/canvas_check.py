"""Before the first step: every mixture key's SFT targets fit their family's answer canvas.

A target longer than its canvas (`answer_lengths`) stops a run at the first step that draws one, which can be
hours in (a seven-object caption is rare). Drawing some of each key's train samples up front turns that into an
error at start that names the key and the canvas it needs.
"""

from __future__ import annotations

from ..data.examples import ExampleBuilder
from ..prompts import CanvasOverflow
from ..world import BOX_FAMILIES
from .schedule import key_samples, split_key

DRAWS = 100  # per mixture key: a target that overflows in one draw in 30 is caught with probability > 0.96


class ShortCanvas(ValueError):
    """The config's answer_lengths cannot hold some mixture key's targets."""


def check_answer_canvases(builder: ExampleBuilder, mixture: dict[str, float], seed: int, draws: int = DRAWS) -> None:
    """Raises ShortCanvas listing every mixture key with a target (among `draws` train samples) too long. Box
    families are skipped: their answers have one length."""
    problems = []
    for key in sorted(k for k, weight in mixture.items() if weight > 0 and split_key(k)[0] not in BOX_FAMILIES):
        needed = canvas = 0
        for sample in key_samples(key, seed, list(range(draws))):
            try:
                builder.answer_ids(sample)
            except CanvasOverflow as overflow:
                needed, canvas = max(needed, overflow.needed), overflow.canvas
        if needed:
            problems.append(f"{key}: a target of {needed} tokens, over the {split_key(key)[0]} canvas of {canvas}")
    if problems:
        raise ShortCanvas(
            f"answer_lengths too short for the mixture (the longest of {draws} train samples per key; longer ones"
            " may exist, so leave room):\n  " + "\n  ".join(problems)
        )
