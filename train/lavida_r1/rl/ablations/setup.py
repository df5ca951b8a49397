"""The checkpoint and example builder an ablation measures with."""
from __future__ import annotations

from pathlib import Path

import torch

from ...model import LavidaForMaskedDiffusion, load_checkpoint
from ...sft.config import DEFAULT_ANSWER_LENGTHS
from ...sft.examples import ExampleBuilder
from ...tokenizer import load_tokenizer


def load_for_ablation(checkpoint: Path, threads: int) -> tuple[LavidaForMaskedDiffusion, ExampleBuilder]:
    torch.set_num_threads(threads)
    model = load_checkpoint(checkpoint).eval()
    builder = ExampleBuilder(model.config, load_tokenizer(checkpoint / "tokenizer.json", model.config),
                             DEFAULT_ANSWER_LENGTHS, False, model.model.vqvae)
    return model, builder
