"""The greedy reference pipeline of a checkpoint over one fixed answer canvas, and a recorder of its residual
stream, shared by this folder's probes."""

from __future__ import annotations

from pathlib import Path

import torch

from lavida_r1.data.examples import DEFAULT_ANSWER_LENGTHS
from lavida_r1.inference import Pipeline
from lavida_r1.model import load_checkpoint
from lavida_r1.model.canvases import read_canvases
from lavida_r1.tokenizer import load_tokenizer, tokenizer_for


def greedy_pipeline(checkpoint: Path, canvas: int, block: int) -> Pipeline:
    """One token per pass over a `canvas`-token answer in `block`-token blocks."""
    model = load_checkpoint(checkpoint).eval()
    tokenizer = load_tokenizer(tokenizer_for(checkpoint, None), model.config)
    pipe = Pipeline(model, tokenizer, canvases=read_canvases(checkpoint))
    return pipe.greedy(canvas, block)


def name_pipeline(checkpoint: Path) -> Pipeline:
    """Greedy over the `name` family's whole answer canvas in one block: the attribute probes' decoding."""
    canvas = DEFAULT_ANSWER_LENGTHS["name"]
    return greedy_pipeline(checkpoint, canvas, canvas)


def block_inputs(pipe: Pipeline) -> list[torch.Tensor]:
    """A list that each forward pass of `pipe`'s model extends with the residual stream entering every block, in
    order (clear it before a pass)."""
    entering: list[torch.Tensor] = []
    for block in pipe.model.model.transformer.blocks:
        block.register_forward_pre_hook(lambda _module, inputs: entering.append(inputs[0]))
    return entering
