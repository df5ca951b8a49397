"""The reference pipelines of `lavida_r1.inference` driven through the package's ONNX graphs (greedy; edits
with classifier-free guidance too).

The sampler loops are `lavida_r1.sampling`'s own; only the denoisers differ (`ort_denoise`: the backbone graph
with the prefix cache, and the dual cache's window, kept as graph inputs, which is how the server runs them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from .. import prompts
from ..boxes import bins_to_box
from ..inference import answer_sampler, decode_text, default_image_sampler
from ..model.canvases import Canvases
from ..model.image_processing import process_anyres, process_square
from ..model.vision import count_image_tokens
from ..sampling.grounding_loop import sample_box
from ..sampling.image import guidance_variants, is_guided
from ..sampling.image_loop import ImageSamplerConfig, sample_image
from ..sampling.text_loop import TextSamplerConfig, sample_text
from .ort_denoise import OrtImageDenoiser, OrtTextDenoiser, ort_loc_denoiser
from .runtime import Cache, OrtPackage


@dataclass
class OrtPipeline:
    """Decodes with the package's canvases; `text_changes` as `inference.Pipeline.text_changes`."""

    package: OrtPackage
    system_prompt: bool = False
    text_changes: Mapping[str, Any] = field(default_factory=dict)
    image: ImageSamplerConfig = field(default_factory=default_image_sampler)

    @property
    def canvases(self) -> Canvases:
        return self.package.canvases

    @property
    def plan_length(self) -> int:
        return self.canvases.edit_plan


def generate_text(
    pkg: OrtPackage,
    cache: Cache,
    config: TextSamplerConfig,
    draft: np.ndarray | None = None,
    gen_vq: np.ndarray | None = None,
) -> np.ndarray:
    """Answer canvas [B, gen_length] after the cached prompt (the text loop of lavida_r1.sampling.text)."""
    draft_ids = None if draft is None else torch.from_numpy(draft)
    denoise = OrtTextDenoiser(pkg, cache, config, gen_vq)
    return sample_text(denoise, pkg.config, config, cache.key_valid.shape[0], draft_ids).tokens.numpy()


def generate_box(
    pkg: OrtPackage, cache: Cache, steps: int = 1, image_sizes: list[tuple[int, int]] | None = None
) -> np.ndarray:
    """LOC bins [B, 4] (the grounding loop of lavida_r1.sampling.grounding, greedy)."""
    denoise = ort_loc_denoiser(pkg, cache)
    return sample_box(denoise, pkg.config, cache.key_valid.shape[0], steps, image_sizes).bins.numpy()


def generate_image(
    pkg: OrtPackage, cache: Cache, answer_ids: np.ndarray, config: ImageSamplerConfig, grid: int
) -> np.ndarray:
    """VQ ids [B, grid, grid] for the generation slots of `answer_ids` (greedy; guided when `cache` holds the
    guidance variants, `guidance_cache`)."""
    denoise = OrtImageDenoiser(pkg, cache, answer_ids, config, grid)
    return sample_image(denoise, pkg.config.image_mask_token_id, config, grid, answer_ids.shape[0]).vq.numpy()


def encode_prompt(
    pipe: OrtPipeline, question: str, image: Image.Image, edit: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Prompt ids [1, P] and the image's `<image>` embeddings [1, N, d_model]."""
    pkg, c = pipe.package, pipe.package.config
    processed = process_anyres(image, c)
    n_image = count_image_tokens(c, processed.grid, processed.original_size)
    ids = np.array([prompts.prompt_ids(pkg.tokenizer, c, question, n_image, pipe.system_prompt, edit=edit)])
    return ids, pkg.encode_image(processed)[None]


def answer_question(pipe: OrtPipeline, question: str, image: Image.Image, family: str | None = None) -> str:
    c = pipe.package.config
    ids, features = encode_prompt(pipe, question, image)
    cache = pipe.package.prefill(ids, np.ones_like(ids), features)
    tokens = generate_text(pipe.package, cache, answer_sampler(pipe.canvases, pipe.text_changes, family))
    return decode_text(pipe.package.tokenizer, tokens[0].tolist(), {c.eos_token_id, c.eot_token_id})


def ground(pipe: OrtPipeline, description: str, image: Image.Image, steps: int = 1) -> list[float]:
    ids, features = encode_prompt(pipe, description, image)
    bins = generate_box(pipe.package, pipe.package.prefill(ids, np.ones_like(ids), features), steps, [image.size])
    return bins_to_box(bins[0].tolist(), image.size, pipe.package.config.num_loc_bins)


def edit_source(pkg: OrtPackage, image: Image.Image) -> np.ndarray:
    """The edit source's VQ ids [1, grid, grid] (lavida_r1.data.examples.image_to_vq)."""
    square = np.asarray(process_square(image, pkg.config.vq.image_size), dtype=np.float32) / 127.5 - 1.0
    return pkg.vq_encode(square.transpose(2, 0, 1)[None].copy())


def guidance_cache(
    pkg: OrtPackage, ids: np.ndarray, features: np.ndarray, source: np.ndarray, config: ImageSamplerConfig
) -> Cache | None:
    """The prompt cache of the guidance variants of an edit prompt `ids` [B, P], [cond; uncond_img; uncond] x B
    rows (`sampling.image.guidance_variants`: the instruction masked, `prompts.edit_condition_mask`, and the image
    and edit-source slots masked); None when `config` is unguided."""
    if not is_guided(config, edit=True):
        return None
    c = pkg.config
    condition = torch.tensor([prompts.edit_condition_mask(c, row.tolist()) for row in ids])
    variants = guidance_variants(c, torch.from_numpy(ids), condition, edit=True)
    rows = np.concatenate([v.numpy() for v in variants])
    return pkg.prefill(rows, np.ones_like(rows), np.tile(features, (3, 1, 1)), np.tile(source, (3, 1, 1)))


@dataclass
class EditResult:
    plan: str
    plan_ids: np.ndarray  # [plan_length + slots + 1] the decoded answer canvas
    vq: np.ndarray  # [grid, grid]
    image: Image.Image


@dataclass
class PlannedEdit:
    """An edit whose plan is decoded: the prompt, its features, the source's VQ ids, the prompt cache and the
    answer canvas [1, plan_length + slots + 1]. The plan does not depend on the image sampler (guidance)."""

    ids: np.ndarray
    features: np.ndarray
    source: np.ndarray
    cache: Cache
    plan_ids: np.ndarray


def plan_edit(pipe: OrtPipeline, instruction: str, image: Image.Image) -> PlannedEdit:
    pkg, c = pipe.package, pipe.package.config
    ids, features = encode_prompt(pipe, instruction, image, edit=True)
    source = edit_source(pkg, image)
    cache = pkg.prefill(ids, np.ones_like(ids), features, source)
    grid, slots = c.vq.grid_size, prompts.vq_slots(c)
    draft = np.array([[c.mask_token_id] * pipe.plan_length + [c.gen_token_id] * slots + [c.eot_token_id]])
    blank = np.full((1, grid, grid), c.image_mask_token_id, np.int64)
    plan_config = TextSamplerConfig(
        gen_length=draft.shape[1], block_length=draft.shape[1], steps=pipe.plan_length, stop_at_eos=False
    )
    return PlannedEdit(ids, features, source, cache, generate_text(pkg, cache, plan_config, draft, gen_vq=blank))


def finish_edit(pipe: OrtPipeline, planned: PlannedEdit) -> EditResult:
    """The image of a planned edit, decoded with `pipe.image`."""
    pkg, c = pipe.package, pipe.package.config
    guided = guidance_cache(pkg, planned.ids, planned.features, planned.source, pipe.image)
    cache = planned.cache if guided is None else guided
    vq = generate_image(pkg, cache, planned.plan_ids, pipe.image, c.vq.grid_size)
    pixels = pkg.vq_decode(vq)[0]
    array = ((pixels.transpose(1, 2, 0) + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
    plan_ids = planned.plan_ids[0]
    plan = decode_text(pkg.tokenizer, plan_ids[: pipe.plan_length].tolist(), {c.eos_token_id, c.eot_token_id})
    return EditResult(plan, plan_ids, vq[0], Image.fromarray(array))


def edit_image(pipe: OrtPipeline, instruction: str, image: Image.Image) -> EditResult:
    return finish_edit(pipe, plan_edit(pipe, instruction, image))
