"""Online rollouts of one prompt with the batched reference samplers: N text responses (temperature
sampling, semi-AR blocks, prefix cache) and N grounding boxes (LOC tokens sampled at the box temperature).
Answer-forced responses are in `forcing.py`."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from tokenizers import Tokenizer
from torch import Tensor

from ..boxes import bins_to_box
from ..data.examples import Example
from ..inference import decode_text
from ..model import LavidaForMaskedDiffusion
from ..sampling.grounding import generate_box
from ..sampling.text import TextSamplerConfig, generate_text

BLOCK = 16


@dataclass
class Rollout:
    answer_ids: list[int]  # the response canvas, laid out like the SFT target of its family
    text: str  # decoded response (text families), else ""
    target_vq: Tensor | None = None  # edits: the generated VQ image [grid, grid]
    box: list[float] | None = None  # grounding: the decoded box in image pixels
    forced: bool = False


def prompt_batch(model: LavidaForMaskedDiffusion, example: Example, n: int) -> tuple[Tensor, Tensor]:
    with torch.no_grad():
        features = model.encode_image(example.image)
    return torch.tensor([example.prompt_ids]).repeat(n, 1), features[None].repeat(n, 1, 1)


def text_sampler(length: int, tokens_per_step: int, temperature: float, seed: int, **options) -> TextSamplerConfig:
    block = BLOCK if length % BLOCK == 0 else length
    return TextSamplerConfig(
        gen_length=length,
        block_length=block,
        steps=length // block * max(1, block // tokens_per_step),
        temperature=temperature,
        seed=seed,
        **options,
    )


def text_rollouts(
    model: LavidaForMaskedDiffusion,
    tokenizer: Tokenizer,
    example: Example,
    n: int,
    length: int,
    tokens_per_step: int,
    temperature: float,
    seed: int,
) -> list[Rollout]:
    ids, features = prompt_batch(model, example, n)
    with torch.no_grad():
        tokens = generate_text(
            model, ids, text_sampler(length, tokens_per_step, temperature, seed), image_features=features
        ).tokens
    stops = {model.config.eos_token_id, model.config.eot_token_id}
    return [Rollout(row, decode_text(tokenizer, row, stops)) for row in tokens.tolist()]


def grounding_rollouts(
    model: LavidaForMaskedDiffusion,
    example: Example,
    image_size: tuple[int, int],
    n: int,
    temperature: float,
    seed: int,
) -> list[Rollout]:
    ids, features = prompt_batch(model, example, n)
    with torch.no_grad():
        sample = generate_box(
            model, ids, image_features=features, temperature=temperature, seed=seed, image_sizes=[image_size] * n
        )
    bins = sample.bins.tolist()
    return [
        Rollout(canvas, "", box=bins_to_box(b, image_size, model.config.num_loc_bins))
        for canvas, b in zip(sample.tokens.tolist(), bins)
    ]
