"""The greedy reference pipeline of a checkpoint over one fixed answer canvas, shared by this folder's probes."""

from __future__ import annotations

from pathlib import Path

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
