"""The package's backbone graph behind the sampler loops' seam (`lavida_r1.sampling.denoise`): greedy candidates
from the graph's argmax outputs, the prompt's cache (and the dual cache's window) kept as graph inputs, which
is how the server runs them. Image passes reuse the prompt's cache: the PyTorch denoiser's `prefix_len` forward
computes the same attention pattern without a cache."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ..sampling.denoise import BlockPass, Candidates, LocDenoise
from ..sampling.grounding_loop import LOC_SLOTS
from ..sampling.image import combine_guidance, is_guided
from ..sampling.image_loop import ImageSamplerConfig
from ..sampling.noise import choose_tokens
from ..sampling.text_loop import TextSamplerConfig
from .runtime import BackboneOutput, Cache, OrtPackage


def answer_positions(cache: Cache, length: int) -> np.ndarray:
    """[B, length] positions of the canvas after the cached prompt's real tokens."""
    return cache.key_valid.sum(axis=1, keepdims=True) + np.arange(length)[None]


def _all_positions(batch: int, length: int) -> np.ndarray:
    return np.tile(np.arange(length, dtype=np.int64), (batch, 1))


def _candidates(ids: np.ndarray, confidence: np.ndarray) -> Candidates:
    return Candidates(torch.from_numpy(ids), torch.from_numpy(confidence).to(torch.float64))


def _window(cache: Cache, present: BackboneOutput, hidden: np.ndarray) -> Cache:
    """The dual cache: the prompt's keys followed by the answer's, the `hidden` [B, L] ones invisible."""
    key_valid = np.where(hidden, 0, np.ones(hidden.shape, np.int64))
    return Cache(
        np.concatenate((cache.keys, present.present_keys), axis=3),
        np.concatenate((cache.values, present.present_values), axis=3),
        np.concatenate((cache.gen_mask, present.present_gen_mask), axis=1),
        np.concatenate((cache.key_valid, key_valid), axis=1),
    )


class OrtTextDenoiser:
    """`Denoise` over the answer canvas after the cached prompt (greedy, low-confidence, prefix cache; the dual
    cache when configured). gen_vq: the (masked) canvas behind generation slots in the answer."""

    def __init__(
        self, pkg: OrtPackage, cache: Cache, config: TextSamplerConfig, gen_vq: np.ndarray | None = None
    ) -> None:
        if (
            config.temperature != 0
            or config.remasking != "low_confidence"
            or not config.use_cache
            or config.eos_logits_inf
        ):
            raise ValueError("the ONNX denoiser runs greedy low-confidence decoding with the prefix cache only")
        self.pkg, self.cache, self.window, self.gen_vq, self.dual_cache = pkg, cache, cache, gen_vq, config.dual_cache
        self.answer_pos = answer_positions(cache, config.gen_length)

    def __call__(self, canvas: Tensor, step: int, block: BlockPass | None = None) -> Candidates:
        ids, batch = canvas.numpy(), canvas.shape[0]
        if self.dual_cache and not block.first:  # the block alone, against the window of the block's first pass
            start, end = block.start, block.end
            out = self.pkg.backbone(
                ids[:, start:end],
                self.answer_pos[:, start:end],
                self.window,
                text_positions=_all_positions(batch, end - start),
            )
            tokens, confidence = np.zeros_like(ids), np.zeros(ids.shape, np.float32)
            tokens[:, start:end], confidence[:, start:end] = out.text_ids, out.text_confidence
            return _candidates(tokens, confidence)
        out = self.pkg.backbone(
            ids, self.answer_pos, self.cache, gen_vq=self.gen_vq, text_positions=_all_positions(batch, ids.shape[1])
        )
        if self.dual_cache:
            positions = np.arange(ids.shape[1])
            in_block = (positions >= block.start) & (positions < block.end)
            self.window = _window(self.cache, out, np.broadcast_to(in_block, ids.shape))
        return _candidates(out.text_ids, out.text_confidence)


def ort_loc_denoiser(pkg: OrtPackage, cache: Cache) -> LocDenoise:
    """`LocDenoise` over the grounding canvas after the cached prompt: the graph's LOC logits of the four slots."""
    c = pkg.config
    batch = cache.key_valid.shape[0]
    positions = answer_positions(cache, LOC_SLOTS + 3)
    loc = (c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)
    slot_positions = np.tile(np.arange(1, 1 + LOC_SLOTS, dtype=np.int64), (batch, 1))

    def denoise(canvas: Tensor, step: int) -> Tensor:
        out = pkg.backbone(
            canvas.numpy(), positions, cache, text_positions=slot_positions, vocab_range=loc, logits=True
        )
        return torch.from_numpy(out.text_logits[..., loc[0] : loc[1]])

    return denoise


class OrtImageDenoiser:
    """`Denoise` over the VQ canvas behind the generation slots of `answer_ids`, after the cached prompt (greedy).
    Unguided: the graph's argmax candidates. Guided (`sampling.image.is_guided`): `cache` holds the guidance
    variants' prompts stacked, [cond; uncond_img; uncond] x B rows (`ort_pipeline.guidance_cache`), one backbone
    run covers them all and their VQ logits are combined as the PyTorch denoiser combines them."""

    def __init__(
        self, pkg: OrtPackage, cache: Cache, answer_ids: np.ndarray, config: ImageSamplerConfig, grid: int
    ) -> None:
        if config.temperature != 0:
            raise ValueError("the ONNX denoiser runs greedy image decoding only")
        self.pkg, self.config, self.grid = pkg, config, grid
        self.variants = cache.key_valid.shape[0] // answer_ids.shape[0]
        if self.variants != (3 if is_guided(config, edit=True) else 1):
            raise ValueError(f"a cache of {self.variants} variants per row for guidance {config}")
        self.cache, self.answer_ids = cache, np.tile(answer_ids, (self.variants, 1))
        self.positions = answer_positions(cache, answer_ids.shape[1])

    def __call__(self, canvas: Tensor, step: int, block: BlockPass | None = None) -> Candidates:
        gen_vq = np.tile(canvas.numpy().reshape(canvas.shape[0], self.grid, self.grid), (self.variants, 1, 1))
        out = self.pkg.backbone(self.answer_ids, self.positions, self.cache, gen_vq=gen_vq, vq_logits=self.variants > 1)
        if self.variants == 1:
            return _candidates(out.vq_ids, out.vq_confidence)
        logits = combine_guidance(list(torch.from_numpy(out.vq_logits).chunk(self.variants)), self.config)
        return Candidates(*choose_tokens(logits, 0.0, "low_confidence", None))
