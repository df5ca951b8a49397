"""Text sampler: LLaDA low-confidence remasking over semi-autoregressive blocks, as LaViDa runs it.

Options: the uniform or shift schedule, float64 Gumbel sampling with temperature, LaViDa's prefix KV cache
(the prompt is encoded once; each step runs the answer canvas only), Fast-dLLM's dual cache on top of it (the
first step of a block runs the whole canvas and keeps its keys; the block's other steps run the block only,
against those keys: approximate, since the rest of the canvas is not re-encoded until the next block),
Fast-dLLM confidence-threshold parallel decoding, EOS/EoT handling with early stop, and draft tokens (fixed
tokens in the canvas that are never changed: infilling and answer-forcing).

Batches: prompts are left-padded (`prompt_mask` 0 on padding) and positions count real tokens only, so a row
decodes the same tokens alone or in a batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..model import LavidaForMaskedDiffusion
from .noise import choose_tokens
from .schedules import transfer_counts


@dataclass
class TextSamplerConfig:
    gen_length: int = 128
    block_length: int = 32
    steps: int = 128                    # over all blocks; ignored by threshold decoding
    temperature: float = 0.0
    remasking: str = "low_confidence"   # or "random"
    schedule: str = "uniform"           # or "shift"
    shift: float = 3.0
    threshold: float | None = None      # Fast-dLLM: unmask every masked token above it (at least one)
    use_cache: bool = True              # prefix KV cache (implies prefix_lm)
    dual_cache: bool = False            # Fast-dLLM dual cache over the answer (needs use_cache)
    prefix_lm: bool = True              # prompt does not attend to the answer
    stop_at_eos: bool = True            # after a finished block holding EOS/EoT, fill the rest with EOS
    eos_logits_inf: bool = False        # never generate EOS (LLaDA logits_eos_inf)
    eos_confidence_inf: bool = False    # EOS/EoT are chosen last (LLaDA confidence_eos_eot_inf)
    seed: int | None = None

    def validate(self) -> None:
        if self.gen_length % self.block_length:
            raise ValueError("gen_length must be a multiple of block_length")
        blocks = self.gen_length // self.block_length
        if self.threshold is None and self.steps % blocks:
            raise ValueError("steps must be a multiple of the number of blocks")
        if self.use_cache and not self.prefix_lm:
            raise ValueError("the prefix cache needs prefix_lm=True")
        if self.dual_cache and not self.use_cache:
            raise ValueError("the dual cache needs use_cache=True")
        if self.threshold is not None and not 0 < self.threshold <= 1:
            raise ValueError("threshold must lie in (0, 1]")


@dataclass
class TextSample:
    tokens: Tensor          # [B, gen_length] the finished canvas
    unmask_step: Tensor     # [B, gen_length] step at which each token was decided (-1: fixed draft token)
    nfe: int                # denoising forward passes (the prompt prefill is not counted)


StepCallback = Callable[[int, Tensor], None]


def prompt_positions(prompt_mask: Tensor) -> Tensor:
    return (prompt_mask.long().cumsum(dim=1) - 1).clamp(min=0)


class _Denoiser:
    """Answer-canvas logits, with or without the prefix cache, and with the dual cache when configured."""

    def __init__(self, model: LavidaForMaskedDiffusion, prompt_ids: Tensor, prompt_mask: Tensor,
                 image_features: Tensor | None, edit_vq: Tensor | None, gen_vq: Tensor | None, gen_length: int,
                 config: TextSamplerConfig) -> None:
        self.model, self.prompt_ids, self.prompt_mask = model, prompt_ids, prompt_mask
        self.image_features, self.edit_vq, self.gen_vq, self.config = image_features, edit_vq, gen_vq, config
        real = prompt_mask.long().sum(dim=1, keepdim=True)
        self.answer_pos = real + torch.arange(gen_length, device=prompt_ids.device)[None]
        self.cache = self.window = None
        if config.dual_cache and gen_vq is not None:
            raise ValueError("the dual cache is for text canvases (no generation slots)")
        if config.use_cache:
            self.cache = model(prompt_ids, image_features=image_features, edit_vq=edit_vq, attention_mask=prompt_mask,
                               position_ids=prompt_positions(prompt_mask), use_cache=True).cache

    def __call__(self, canvas: Tensor, block: tuple[int, int], first_in_block: bool) -> Tensor:
        """Logits [B, gen_length, V]; with the dual cache, outside `block` they are 0 after the block's first step."""
        ones = torch.ones_like(canvas)
        if self.config.dual_cache and not first_in_block:
            start, end = block
            logits = self.model(canvas[:, start:end], attention_mask=ones[:, start:end],
                                position_ids=self.answer_pos[:, start:end], past=self.window).logits
            return F.pad(logits, (0, 0, start, canvas.shape[1] - end))
        if self.cache is not None:
            out = self.model(canvas, gen_vq=self.gen_vq, attention_mask=ones, position_ids=self.answer_pos,
                             past=self.cache, use_cache=self.config.dual_cache)
            if self.config.dual_cache:
                positions = torch.arange(canvas.shape[1], device=canvas.device)
                in_block = (positions >= block[0]) & (positions < block[1])
                self.window = self.cache.join(out.cache, in_block[None].expand_as(canvas))
            return out.logits
        ids = torch.cat((self.prompt_ids, canvas), dim=1)
        positions = torch.cat((prompt_positions(self.prompt_mask), self.answer_pos), dim=1)
        prefix = self.prompt_ids.shape[1] if self.config.prefix_lm else None
        out = self.model(ids, image_features=self.image_features, edit_vq=self.edit_vq, gen_vq=self.gen_vq,
                         attention_mask=torch.cat((self.prompt_mask, ones), 1), position_ids=positions,
                         prefix_len=prefix)
        return out.logits[:, self.prompt_ids.shape[1]:]


def select_scheduled(confidence: Tensor, counts: Tensor) -> Tensor:
    """Per row, the `counts[row]` most confident positions (confidence -inf where not eligible)."""
    order = confidence.argsort(dim=1, descending=True, stable=True)
    ranks = torch.empty_like(order)
    ranks.scatter_(1, order, torch.arange(order.shape[1], device=order.device).expand_as(order))
    return ranks < counts[:, None]


def select_threshold(confidence: Tensor, threshold: float) -> Tensor:
    """Every eligible position above the threshold, and always the most confident one of each row."""
    chosen = confidence > threshold
    best = confidence.argmax(dim=1, keepdim=True)
    has_candidate = torch.isfinite(confidence.gather(1, best))
    chosen.scatter_(1, best, has_candidate | chosen.gather(1, best))
    return chosen & torch.isfinite(confidence)


@torch.no_grad()
def generate_text(model: LavidaForMaskedDiffusion, prompt_ids: Tensor, config: TextSamplerConfig,
                  image_features: Tensor | None = None, prompt_mask: Tensor | None = None,
                  draft: Tensor | None = None, on_step: StepCallback | None = None,
                  edit_vq: Tensor | None = None, gen_vq: Tensor | None = None) -> TextSample:
    """Decodes `config.gen_length` answer tokens after `prompt_ids` [B, P].

    draft [B, gen_length]: fixed tokens, with the mask id where the sampler decides (e.g. an edit's image
    slots after its plan). edit_vq: the edit source behind the prompt's edit slots; gen_vq: the (masked)
    canvas behind generation slots in the draft.
    """
    config.validate()
    c = model.config
    batch, device = prompt_ids.shape[0], prompt_ids.device
    mask_id, stops = c.mask_token_id, torch.tensor([c.eos_token_id, c.eot_token_id], device=device)
    if prompt_mask is None:
        prompt_mask = torch.ones_like(prompt_ids)
    canvas = torch.full((batch, config.gen_length), mask_id, dtype=torch.long, device=device)
    if draft is not None:
        canvas = draft.clone().to(device)
    fixed = canvas != mask_id
    unmask_step = torch.full_like(canvas, -1)
    generator = torch.Generator(device=device).manual_seed(config.seed) if config.seed is not None else None
    denoise = _Denoiser(model, prompt_ids, prompt_mask, image_features, edit_vq, gen_vq, config.gen_length, config)
    blocks = config.gen_length // config.block_length
    steps_per_block = config.steps // blocks if config.threshold is None else config.block_length
    positions = torch.arange(config.gen_length, device=device)
    nfe = 0
    for b in range(blocks):
        start, end = b * config.block_length, (b + 1) * config.block_length
        in_block = (positions >= start) & (positions < end)
        per_row = [transfer_counts(int(n), steps_per_block, config.schedule, config.shift)
                   for n in ((canvas == mask_id) & in_block).sum(dim=1)]
        for step in range(steps_per_block):
            masked = (canvas == mask_id) & in_block
            if not bool(masked.any()):
                break
            logits = denoise(canvas, (start, end), step == 0)
            nfe += 1
            if config.eos_logits_inf:
                logits[..., c.eos_token_id] = float("-inf")
            x0, confidence = choose_tokens(logits, config.temperature, config.remasking, generator)
            if config.eos_confidence_inf:
                confidence = confidence.masked_fill(torch.isin(x0, stops), float("-inf"))
            confidence = confidence.masked_fill(~masked, float("-inf"))
            if config.threshold is not None:
                chosen = select_threshold(confidence, config.threshold)
            else:
                counts = torch.tensor([row[step] for row in per_row], device=device)
                chosen = select_scheduled(confidence, counts) & masked
            canvas = torch.where(chosen, x0, canvas)
            unmask_step = torch.where(chosen, nfe - 1, unmask_step)
            if on_step is not None:
                on_step(nfe, canvas)
        if config.stop_at_eos:
            canvas, done = _stop_rows_at_eos(canvas, fixed, end, stops, c.eos_token_id, mask_id)
            if bool(done.all()):
                break
    return TextSample(canvas, unmask_step, nfe)


def _stop_rows_at_eos(canvas: Tensor, fixed: Tensor, end: int, stops: Tensor, eos_id: int,
                      mask_id: int) -> tuple[Tensor, Tensor]:
    """Rows whose decoded part (up to `end`) holds EOS/EoT and which have no fixed tokens later are finished:
    their remaining masks become EOS. Returns the canvas and which rows are finished."""
    decoded_stop = torch.isin(canvas[:, :end], stops).any(dim=1)
    later_fixed = fixed[:, end:].any(dim=1)
    finished = decoded_stop & ~later_fixed
    fill = finished[:, None] & (canvas == mask_id)
    canvas = torch.where(fill, torch.full_like(canvas, eos_id), canvas)
    return canvas, finished | ~(canvas == mask_id).any(dim=1)
