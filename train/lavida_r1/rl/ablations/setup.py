"""The checkpoint and example builder an ablation measures with."""

from __future__ import annotations

from pathlib import Path

import torch

from ...data.examples import DEFAULT_ANSWER_LENGTHS, ExampleBuilder
from ...model import LavidaForMaskedDiffusion, load_checkpoint
from ...tokenizer import load_tokenizer


def load_for_ablation(checkpoint: Path, threads: int) -> tuple[LavidaForMaskedDiffusion, ExampleBuilder]:
    torch.set_num_threads(threads)
    model = load_checkpoint(checkpoint).eval()
    builder = ExampleBuilder(
        model.config,
        load_tokenizer(checkpoint / "tokenizer.json", model.config),
        DEFAULT_ANSWER_LENGTHS,
        False,
        model.model.vqvae,
    )
    return model, builder
