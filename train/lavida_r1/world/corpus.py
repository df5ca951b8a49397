"""The world's text, which lavida-r1-tiny's tokenizer is trained on (`python -m lavida_r1.tokenizer_train`)."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.chat import render_prompt
from .generate import generate
from .sample import FAMILIES, sft_target


def world_corpus(samples_per_family: int = 400, seed: int = 0) -> Iterator[str]:
    """Prompts and SFT targets of the world's train split, plus the chat template's fixed text."""
    yield render_prompt("")
    for family in FAMILIES:
        for index in range(samples_per_family):
            sample = generate(family, "train", index, seed)
            yield sample.prompt
            yield sft_target(sample, lambda box, w, h: "")
