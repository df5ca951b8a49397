"""The reference pipelines of `lavida_r1.inference` driven through the package's ONNX graphs (greedy).

The samplers mirror `lavida_r1.sampling` step for step (block schedule, low-confidence remasking with a
stable ranking, threshold decoding, EOS stop, draft tokens, valid-box grounding, stratified image order)
with the prefix cache (and the dual cache's window) kept as graph inputs, which is how the server runs them.
Image steps reuse the prompt's cache: the PyTorch sampler's `prefix_len` forward computes the same attention
pattern without a cache.
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
from ..sampling.grounding import LOC_SLOTS
from ..sampling.image import ImageSamplerConfig
from ..sampling.order import stratified_order
from ..sampling.schedules import transfer_counts
from ..sampling.text import TextSamplerConfig
from ..sampling.valid_box import box_candidates, slot_ranges
from .runtime import BackboneOutput, Cache, OrtPackage


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


def select_scheduled(confidence: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per row, the counts[row] most confident positions; ties keep position order (torch's stable sort)."""
    order = np.argsort(-confidence, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[1])[None].repeat(order.shape[0], 0), axis=1)
    return ranks < counts[:, None]


def select_threshold(confidence: np.ndarray, threshold: float) -> np.ndarray:
    """Every eligible position above the threshold, and always each row's most confident one."""
    chosen = confidence > threshold
    best = confidence.argmax(axis=1)
    rows = np.arange(confidence.shape[0])
    chosen[rows, best] |= np.isfinite(confidence[rows, best])
    return chosen & np.isfinite(confidence)


def _check_greedy_text(config: TextSamplerConfig) -> None:
    config.validate()
    if (config.temperature != 0 or config.remasking != "low_confidence" or not config.use_cache
            or config.eos_logits_inf or config.eos_confidence_inf):
        raise ValueError("the ONNX sampler mirrors greedy low-confidence decoding with the prefix cache only")


def _window(cache: Cache, present: BackboneOutput, hidden: np.ndarray) -> Cache:
    """The dual cache: the prompt's keys followed by the answer's, the `hidden` [B, L] ones invisible."""
    key_valid = np.where(hidden, 0, np.ones(hidden.shape, np.int64))
    return Cache(np.concatenate((cache.keys, present.present_keys), axis=3),
                 np.concatenate((cache.values, present.present_values), axis=3),
                 np.concatenate((cache.gen_mask, present.present_gen_mask), axis=1),
                 np.concatenate((cache.key_valid, key_valid), axis=1))


def _all_positions(batch: int, length: int) -> np.ndarray:
    return np.tile(np.arange(length, dtype=np.int64), (batch, 1))


def generate_text(pkg: OrtPackage, cache: Cache, config: TextSamplerConfig, draft: np.ndarray | None = None,
                  gen_vq: np.ndarray | None = None) -> np.ndarray:
    """Answer canvas [B, gen_length] after the cached prompt (lavida_r1.sampling.text.generate_text)."""
    _check_greedy_text(config)
    c = pkg.config
    batch = cache.key_valid.shape[0]
    mask_id, stops = c.mask_token_id, np.array([c.eos_token_id, c.eot_token_id])
    canvas = draft.copy() if draft is not None else np.full((batch, config.gen_length), mask_id, np.int64)
    fixed = canvas != mask_id
    answer_pos = cache.key_valid.sum(axis=1, keepdims=True) + np.arange(config.gen_length)[None]
    text_positions = _all_positions(batch, config.gen_length)
    blocks = config.gen_length // config.block_length
    steps_per_block = config.steps // blocks if config.threshold is None else config.block_length
    positions = np.arange(config.gen_length)
    window = cache
    for b in range(blocks):
        start, end = b * config.block_length, (b + 1) * config.block_length
        in_block = (positions >= start) & (positions < end)
        per_row = [transfer_counts(int(n), steps_per_block, config.schedule, config.shift)
                   for n in ((canvas == mask_id) & in_block).sum(axis=1)]
        for step in range(steps_per_block):
            masked = (canvas == mask_id) & in_block
            if not masked.any():
                break
            if config.dual_cache and step > 0:  # the block alone, against the window of the block's first pass
                out = pkg.backbone(canvas[:, start:end], answer_pos[:, start:end], window,
                                   text_positions=_all_positions(batch, end - start))
                ids, conf = np.zeros_like(canvas), np.zeros(canvas.shape, np.float32)
                ids[:, start:end], conf[:, start:end] = out.text_ids, out.text_confidence
            else:
                out = pkg.backbone(canvas, answer_pos, cache, gen_vq=gen_vq, text_positions=text_positions)
                ids, conf = out.text_ids, out.text_confidence
                if config.dual_cache:
                    window = _window(cache, out, np.broadcast_to(in_block, canvas.shape))
            confidence = np.where(masked, conf.astype(np.float64), -np.inf)
            if config.threshold is not None:
                chosen = select_threshold(confidence, config.threshold)
            else:
                chosen = select_scheduled(confidence, np.array([row[step] for row in per_row])) & masked
            canvas = np.where(chosen, ids, canvas)
        if config.stop_at_eos:
            finished = np.isin(canvas[:, :end], stops).any(axis=1) & ~fixed[:, end:].any(axis=1)
            canvas = np.where(finished[:, None] & (canvas == mask_id), c.eos_token_id, canvas)
            if (finished | ~(canvas == mask_id).any(axis=1)).all():
                break
    return canvas


def generate_box(pkg: OrtPackage, cache: Cache, steps: int = 1,
                 image_sizes: list[tuple[int, int]] | None = None) -> np.ndarray:
    """LOC bins [B, 4] (lavida_r1.sampling.grounding.generate_box, greedy; the same valid-box candidates from
    the graph's LOC logits)."""
    c = pkg.config
    batch = cache.key_valid.shape[0]
    row = [c.loc_begin_id] + [c.mask_token_id] * LOC_SLOTS + [c.loc_end_id, c.eot_token_id]
    canvas = np.array([row] * batch, np.int64)
    positions = cache.key_valid.sum(axis=1, keepdims=True) + np.arange(canvas.shape[1])[None]
    loc = (c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)
    slot_positions = np.tile(np.arange(1, 1 + LOC_SLOTS, dtype=np.int64), (batch, 1))
    ranges = slot_ranges(image_sizes, batch, c.num_loc_bins)
    per_step = np.full(batch, LOC_SLOTS // steps)
    for _ in range(steps):
        out = pkg.backbone(canvas, positions, cache, text_positions=slot_positions, vocab_range=loc, logits=True)
        slots = canvas[:, 1:1 + LOC_SLOTS]
        masked = slots == c.mask_token_id
        committed = torch.from_numpy(np.where(masked, -1, slots - c.loc_token_offset))
        bins, confidence = box_candidates(torch.from_numpy(out.text_logits[..., loc[0]:loc[1]]), committed, ranges)
        chosen = select_scheduled(np.where(masked, confidence.numpy(), -np.inf), per_step) & masked
        canvas[:, 1:1 + LOC_SLOTS] = np.where(chosen, bins.numpy() + c.loc_token_offset, slots)
    return canvas[:, 1:1 + LOC_SLOTS] - c.loc_token_offset


def generate_image(pkg: OrtPackage, cache: Cache, answer_ids: np.ndarray, config: ImageSamplerConfig,
                   grid: int) -> np.ndarray:
    """VQ ids [B, grid, grid] for the generation slots of `answer_ids` (greedy, stratified order, no guidance)."""
    if config.temperature != 0 or config.guidance_scale != 0 or config.image_guidance_scale != 0 \
            or config.order != "stratified":
        raise ValueError("the ONNX sampler mirrors greedy, unguided, stratified image decoding only")
    c = pkg.config
    batch, tokens = answer_ids.shape[0], grid * grid
    canvas = np.full((batch, tokens), c.image_mask_token_id, np.int64)
    positions = cache.key_valid.sum(axis=1, keepdims=True) + np.arange(answer_ids.shape[1])[None]
    counts = transfer_counts(tokens, config.steps, "shift", config.shift)
    order = np.array(stratified_order(grid, grid, config.order_seed))
    done = 0
    for step in range(config.steps):
        masked = canvas == c.image_mask_token_id
        out = pkg.backbone(answer_ids, positions, cache, gen_vq=canvas.reshape(batch, grid, grid))
        chosen = np.zeros_like(masked)
        chosen[:, order[done:done + counts[step]]] = True
        chosen &= masked
        done += counts[step]
        canvas = np.where(chosen, out.vq_ids, canvas)
    return canvas.reshape(batch, grid, grid)


def encode_prompt(pipe: OrtPipeline, question: str, image: Image.Image,
                  edit: bool = False) -> tuple[np.ndarray, np.ndarray]:
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
    """The edit source's VQ ids [1, grid, grid] (lavida_r1.sft.examples.image_to_vq)."""
    square = np.asarray(process_square(image, pkg.config.vq.image_size), dtype=np.float32) / 127.5 - 1.0
    return pkg.vq_encode(square.transpose(2, 0, 1)[None].copy())


@dataclass
class EditResult:
    plan: str
    plan_ids: np.ndarray    # [plan_length + slots + 1] the decoded answer canvas
    vq: np.ndarray          # [grid, grid]
    image: Image.Image


def edit_image(pipe: OrtPipeline, instruction: str, image: Image.Image) -> EditResult:
    pkg, c = pipe.package, pipe.package.config
    ids, features = encode_prompt(pipe, instruction, image, edit=True)
    source = edit_source(pkg, image)
    cache = pkg.prefill(ids, np.ones_like(ids), features, source)
    grid, slots = c.vq.grid_size, prompts.vq_slots(c)
    draft = np.array([[c.mask_token_id] * pipe.plan_length + [c.gen_token_id] * slots + [c.eot_token_id]])
    blank = np.full((1, grid, grid), c.image_mask_token_id, np.int64)
    plan_config = TextSamplerConfig(gen_length=draft.shape[1], block_length=draft.shape[1],
                                    steps=pipe.plan_length, stop_at_eos=False)
    plan_ids = generate_text(pkg, cache, plan_config, draft, gen_vq=blank)
    vq = generate_image(pkg, cache, plan_ids, pipe.image, grid)
    pixels = pkg.vq_decode(vq)[0]
    array = ((pixels.transpose(1, 2, 0) + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
    plan = decode_text(pkg.tokenizer, plan_ids[0, : pipe.plan_length].tolist(), {c.eos_token_id, c.eot_token_id})
    return EditResult(plan, plan_ids[0], vq[0], Image.fromarray(array))
