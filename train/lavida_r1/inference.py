"""End-to-end reference pipelines on one image: VQA text, grounding boxes and instruction edits.

They tie together preprocessing, the prompt layouts of `lavida_r1.prompts`, the samplers and decoding, and are
the Python reference that exported graphs and the TypeScript engine are checked against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
from PIL import Image
from tokenizers import Tokenizer

from . import prompts
from .boxes import bins_to_box
from .data.examples import image_to_vq
from .model import LavidaForMaskedDiffusion
from .model.canvases import BLOCK_LENGTH, UNIFORM, Canvases
from .model.generation import vq_decode
from .model.image_processing import process_anyres
from .model.vision import count_image_tokens
from .sampling.grounding import generate_box
from .sampling.image import ImageSamplerConfig, generate_image
from .sampling.text import TextSamplerConfig, generate_text


def text_sampler(canvas: int) -> TextSamplerConfig:
    """Greedy, one token per step in blocks of 16 over a `canvas`-token answer."""
    return TextSamplerConfig(gen_length=canvas, block_length=BLOCK_LENGTH, steps=canvas)


def answer_sampler(canvases: Canvases, changes: Mapping[str, Any], family: str | None) -> TextSamplerConfig:
    """The sampler of a VQA family's answers (None: a question of unknown family, the longest canvas), with
    `changes` (TextSamplerConfig fields, e.g. a threshold, or another gen_length) applied over it; validated."""
    config = replace(text_sampler(canvases.answer(family)), **changes)
    config.validate()
    return config


def default_image_sampler() -> ImageSamplerConfig:
    """Greedy, 16 steps, no guidance (the tiny model is not trained with condition dropout)."""
    return ImageSamplerConfig(steps=16, temperature=0.0, guidance_scale=0.0, image_guidance_scale=0.0)


@dataclass
class Pipeline:
    """`canvases`: the checkpoint's (`model.canvases.read_canvases`); `text_changes`: TextSamplerConfig fields
    changed for every family's answers (not the edit plans)."""

    model: LavidaForMaskedDiffusion
    tokenizer: Tokenizer
    system_prompt: bool = False
    canvases: Canvases = UNIFORM
    text_changes: Mapping[str, Any] = field(default_factory=dict)
    image: ImageSamplerConfig = field(default_factory=default_image_sampler)

    @property
    def plan_length(self) -> int:
        return self.canvases.edit_plan

    def greedy(self, canvas: int, block: int | None = None) -> Pipeline:
        """This pipeline committing one token per pass over a `canvas`-token answer (in `block`-token blocks,
        default one block): the decoding the diagnosis and the probes score short answers with."""
        return replace(self, text_changes={"gen_length": canvas, "block_length": block or canvas, "steps": canvas})


def decode_text(tokenizer: Tokenizer, ids: list[int], stop_ids: set[int]) -> str:
    """Text up to the first stop token (EOS/EoT); LOC tokens stay as `<LOC_i>` strings."""
    cut = next((i for i, t in enumerate(ids) if t in stop_ids), len(ids))
    return tokenizer.decode(ids[:cut], skip_special_tokens=False)


def encode_request(
    pipe: Pipeline, question: str, image: Image.Image, edit: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """A request's prompt ids [1, P] and its image features [1, N, d] (anyres views encoded by the tower)."""
    c = pipe.model.config
    processed = process_anyres(image, c)
    n_image = count_image_tokens(c, processed.grid, processed.original_size)
    ids = prompts.prompt_ids(pipe.tokenizer, c, question, n_image, pipe.system_prompt, edit=edit)
    with torch.no_grad():
        features = pipe.model.encode_image(processed)
    return torch.tensor([ids]), features[None]


def answer_question(pipe: Pipeline, question: str, image: Image.Image, family: str | None = None) -> str:
    """The decoded response (reasoning and `<answer>…</answer>`), greedy by default, over the canvas of the
    question's VQA family (None: unknown, the longest)."""
    c = pipe.model.config
    ids, features = encode_request(pipe, question, image)
    sample = generate_text(
        pipe.model, ids, answer_sampler(pipe.canvases, pipe.text_changes, family), image_features=features
    )
    return decode_text(pipe.tokenizer, sample.tokens[0].tolist(), {c.eos_token_id, c.eot_token_id})


def ground(pipe: Pipeline, request: str, image: Image.Image, steps: int = 1) -> list[float]:
    """The box (x1, y1, x2, y2) in original-image pixels for a grounding request: the whole instruction as trained
    (`chat.grounding_request(expression)`, a world sample's `prompt`), not the bare expression."""
    ids, features = encode_request(pipe, request, image)
    bins = (
        generate_box(pipe.model, ids, image_features=features, steps=steps, image_sizes=[image.size]).bins[0].tolist()
    )
    return bins_to_box(bins, image.size, pipe.model.config.num_loc_bins)


def vq_to_image(model: LavidaForMaskedDiffusion, vq: torch.Tensor) -> Image.Image:
    """One [grid, grid] VQ canvas decoded to an RGB image."""
    with torch.no_grad():
        pixels = vq_decode(model.model.vqvae, vq[None])[0]
    array = ((pixels.permute(1, 2, 0).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
    return Image.fromarray(array)


def edit_image(pipe: Pipeline, instruction: str, image: Image.Image) -> tuple[str, Image.Image]:
    """(plan, edited image): the plan is decoded with the image slots in place, then the VQ canvas (guided by
    `pipe.image`'s scales: the unconditional variants mask the instruction, `prompts.edit_condition_mask`)."""
    model, c = pipe.model, pipe.model.config
    ids, features = encode_request(pipe, instruction, image, edit=True)
    source = image_to_vq(model.model.vqvae, image, c.vq.image_size)[None]
    grid = c.vq.grid_size
    slots = prompts.vq_slots(c)
    draft = torch.tensor([[c.mask_token_id] * pipe.plan_length + [c.gen_token_id] * slots + [c.eot_token_id]])
    blank = torch.full((1, grid, grid), c.image_mask_token_id)
    plan_config = TextSamplerConfig(
        gen_length=draft.shape[1], block_length=draft.shape[1], steps=pipe.plan_length, stop_at_eos=False
    )
    plan_ids = generate_text(
        model, ids, plan_config, image_features=features, draft=draft, edit_vq=source, gen_vq=blank
    ).tokens
    sequence = torch.cat((ids, plan_ids), dim=1)
    condition = torch.tensor([prompts.edit_condition_mask(c, ids[0].tolist()) + [False] * plan_ids.shape[1]])
    vq = generate_image(
        model,
        sequence,
        pipe.image,
        grid=grid,
        image_features=features,
        edit_vq=source,
        condition_mask=condition,
        prefix_len=ids.shape[1],
    ).vq
    plan = decode_text(pipe.tokenizer, plan_ids[0, : pipe.plan_length].tolist(), {c.eos_token_id, c.eot_token_id})
    return plan, vq_to_image(model, vq[0])
