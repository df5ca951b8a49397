"""World samples → training examples (token ids, pixels, VQ ids) in the layouts of `lavida_r1.prompts`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from diffusers import VQModel
from PIL import Image
from tokenizers import Tokenizer

from .. import prompts
from ..model.config import LavidaConfig
from ..model.generation import vq_encode
from ..model.image_processing import AnyresImage, process_anyres, process_square
from ..model.vision import count_image_tokens
from ..world import BOX_FAMILIES, Sample, sft_target
from .glyph_labels import glyph_labels
from .object_labels import object_labels

# Answer canvas length per family (text tokens; an edit's plan region, before its image slots): the longest
# SFT target of 2,000 train samples (600 edits) with the tiny tokenizer, plus a few tokens of room.
DEFAULT_ANSWER_LENGTHS = {"math": 64, "chart": 80, "mcq": 48, "edit": 80, "caption": 88, "read": 8, "name": 8}


@dataclass
class Example:
    family: str
    prompt_ids: list[int]
    answer_ids: list[int]
    image: AnyresImage
    edit_vq: torch.Tensor | None = None  # [grid, grid] VQ ids of the edit source
    target_vq: torch.Tensor | None = None  # [grid, grid] VQ ids of the edit target
    object_labels: torch.Tensor | None = None  # [views, tokens, FIELDS] (see object_labels), when built with them
    glyph_labels: torch.Tensor | None = None  # [views, tokens, slots] (see glyph_labels), when built with them


def image_to_vq(vqvae: VQModel, image: Image.Image, size: int) -> torch.Tensor:
    """VQ ids [grid, grid] on the CPU (encoded on the tokenizer's device)."""
    array = np.asarray(process_square(image, size), dtype=np.float32) / 127.5 - 1.0
    return vq_encode(vqvae, torch.from_numpy(array).permute(2, 0, 1)[None].to(vqvae.device))[0].cpu()


class ExampleBuilder:
    def __init__(
        self,
        config: LavidaConfig,
        tokenizer: Tokenizer,
        answer_lengths: dict[str, int],
        system_prompt: bool,
        vqvae: VQModel | None,
        label_objects: bool = False,
        label_glyphs: bool = False,
    ) -> None:
        """label_objects: also label the image tokens of samples whose meta holds their `drawn_objects` (the SFT object
        readout's targets); label_glyphs: those of samples that draw text (`drawn_glyphs`; the glyph readout's)."""
        self.config, self.tokenizer, self.vqvae = config, tokenizer, vqvae
        self.answer_lengths, self.system_prompt = answer_lengths, system_prompt
        self.label_objects, self.label_glyphs = label_objects, label_glyphs

    def answer_ids(self, sample: Sample) -> list[int]:
        """The SFT target on its canvas (raises `prompts.CanvasOverflow` where it does not fit)."""
        c, family = self.config, sample.family
        if family in BOX_FAMILIES:
            return prompts.grounding_answer_ids(c, list(sample.box), sample.image.size)
        if family == "edit":
            return prompts.edit_answer_ids(self.tokenizer, c, sample.reasoning, self.answer_lengths["edit"])
        return prompts.text_answer_ids(self.tokenizer, c, sft_target(sample), self.answer_lengths[family])

    def build(self, sample: Sample) -> Example:
        c, family = self.config, sample.family
        image = process_anyres(sample.image, c)
        n_image = count_image_tokens(c, image.grid, image.original_size)
        prompt = prompts.prompt_ids(
            self.tokenizer, c, sample.prompt, n_image, self.system_prompt, edit=family == "edit"
        )
        answer = self.answer_ids(sample)
        if family != "edit":
            objects = glyphs = None
            if self.label_objects and sample.meta.get("drawn_objects") is not None:
                objects = object_labels(sample.meta["drawn_objects"], image.original_size, c)
            if self.label_glyphs and sample.meta.get("drawn_glyphs"):
                glyphs = glyph_labels(sample.meta["drawn_glyphs"], image.original_size, c)
            return Example(family, prompt, answer, image, object_labels=objects, glyph_labels=glyphs)
        if self.vqvae is None:
            raise ValueError("edit examples need a VQ tokenizer")
        size = c.vq.image_size
        return Example(
            family,
            prompt,
            answer,
            image,
            image_to_vq(self.vqvae, sample.image, size),
            image_to_vq(self.vqvae, sample.target_image, size),
        )
