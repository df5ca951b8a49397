"""The image sampler on the PyTorch model: the `image_loop` driven by `ImageDenoiser`.

Every pass runs the full mixed sequence (no cache) and samples candidate VQ ids from temperature-scaled logits
(cosine decay to `min_temperature`). Classifier-free guidance combines logits of a batch of variants: the
conditional sequence, one with the image conditions masked (editing) and one with every condition masked:
    edit:  g' = (1 + s_img)·cond − s_img·uncond_img;  logits = (1 + s)·g' − s·uncond
    T2I:   logits = (1 + s)·cond − s·uncond
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..model import LavidaConfig, LavidaForMaskedDiffusion
from .denoise import BlockPass, Candidates
from .image_loop import ImageSample, ImageSamplerConfig, sample_image
from .noise import choose_tokens
from .schedules import cosine_temperature


def is_guided(config: ImageSamplerConfig, edit: bool) -> bool:
    """Whether sampling runs the guidance variants (the image scale counts for edits only)."""
    return config.guidance_scale != 0 or (edit and config.image_guidance_scale != 0)


def guidance_variants(c: LavidaConfig, input_ids: Tensor, condition_mask: Tensor, edit: bool) -> list[Tensor]:
    """[cond, uncond_img (edit only), uncond] id rows. Masked conditions become the text mask token, so their
    image features and edit VQ slots drop out of the sequence."""
    image_slots = (input_ids == c.image_token_id) | (input_ids == c.edit_token_id)
    uncond = torch.where(condition_mask | image_slots, c.mask_token_id, input_ids)
    if not edit:
        return [input_ids, uncond]
    return [input_ids, torch.where(image_slots, c.mask_token_id, input_ids), uncond]


def combine_guidance(logits: list[Tensor], config: ImageSamplerConfig) -> Tensor:
    cond = logits[0]
    if len(logits) == 3:
        cond = (1 + config.image_guidance_scale) * cond - config.image_guidance_scale * logits[1]
    return (1 + config.guidance_scale) * cond - config.guidance_scale * logits[-1]


class ImageDenoiser:
    """`Denoise` over the VQ canvas behind the `gen_token_id` slots of `input_ids`, guided and tempered."""

    def __init__(
        self,
        model: LavidaForMaskedDiffusion,
        input_ids: Tensor,
        config: ImageSamplerConfig,
        grid: int,
        image_features: Tensor | None,
        edit_vq: Tensor | None,
        condition_mask: Tensor | None,
        prefix_len: int | None,
    ) -> None:
        use_guidance = is_guided(config, edit_vq is not None)
        if use_guidance and condition_mask is None:
            raise ValueError("guidance needs condition_mask (the tokens to drop in the unconditional variants)")
        variants = (
            guidance_variants(model.config, input_ids, condition_mask, edit_vq is not None)
            if use_guidance
            else [input_ids]
        )
        self.model, self.config, self.grid, self.prefix_len = model, config, grid, prefix_len
        self.variants = len(variants)
        self.ids = torch.cat(variants)
        self.features, self.edit_vq = self.repeat(image_features), self.repeat(edit_vq)
        self.generator = (
            None if config.seed is None else torch.Generator(device=input_ids.device).manual_seed(config.seed)
        )

    def repeat(self, t: Tensor | None) -> Tensor | None:
        return None if t is None else t.repeat(self.variants, *([1] * (t.dim() - 1)))

    def __call__(self, canvas: Tensor, step: int, block: BlockPass | None = None) -> Candidates:
        gen_vq = self.repeat(canvas.reshape(canvas.shape[0], self.grid, self.grid))
        out = self.model(
            self.ids, image_features=self.features, edit_vq=self.edit_vq, gen_vq=gen_vq, prefix_len=self.prefix_len
        )
        logits = combine_guidance(list(out.image_logits.chunk(self.variants)), self.config)
        temperature = self.config.temperature
        if self.config.dynamic_temperature and temperature > 0:
            temperature = cosine_temperature(step, self.config.steps, temperature, self.config.min_temperature)
        return Candidates(*choose_tokens(logits, temperature, "low_confidence", self.generator))


@torch.no_grad()
def generate_image(
    model: LavidaForMaskedDiffusion,
    input_ids: Tensor,
    config: ImageSamplerConfig,
    grid: int | None = None,
    image_features: Tensor | None = None,
    edit_vq: Tensor | None = None,
    condition_mask: Tensor | None = None,
    init_vq: Tensor | None = None,
    start_step: int = 0,
    prefix_len: int | None = None,
) -> ImageSample:
    """Fills the `gen_token_id` slots of `input_ids` [B, L] with a VQ image of grid x grid tokens.

    condition_mask [B, L]: the instruction/caption tokens that guidance masks (required when a guidance scale
    is non-zero). init_vq/start_step resume from a partial canvas (`image_loop.sample_image`). prefix_len: the
    prompt attends to the prompt only (the prefix-LM pattern of a model trained that way); None: fully
    bidirectional.
    """
    grid = grid or model.config.vq.grid_size
    denoise = ImageDenoiser(model, input_ids, config, grid, image_features, edit_vq, condition_mask, prefix_len)
    return sample_image(
        denoise,
        model.config.image_mask_token_id,
        config,
        grid,
        input_ids.shape[0],
        init_vq,
        start_step,
        input_ids.device,
    )
