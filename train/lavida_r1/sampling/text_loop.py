"""Text sampler loop: LLaDA low-confidence remasking over semi-autoregressive blocks, as LaViDa runs it, with the
model behind a `Denoise` (server/engine/sampling/text.ts is the same loop in TypeScript).

The loop owns the canvas: the uniform or shift schedule per block, Fast-dLLM confidence-threshold parallel
decoding, EOS/EoT early stop and draft tokens (fixed tokens in the canvas that are never changed: infilling and
answer-forcing). The denoiser owns the model side: the prefix and dual caches, the EOS logit ban, temperature
and the remasking confidence. Batch rows decode independently (the batch only shares passes).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .denoise import BlockPass, Denoise, StepCallback, TextTokenIds
from .schedules import transfer_counts
from .select import select_scheduled, select_threshold


@dataclass
class TextSamplerConfig:
    gen_length: int = 128
    block_length: int = 32
    steps: int = 128  # over all blocks; ignored by threshold decoding
    temperature: float = 0.0
    remasking: str = "low_confidence"  # or "random"
    schedule: str = "uniform"  # or "shift"
    shift: float = 3.0
    threshold: float | None = None  # Fast-dLLM: unmask every masked token above it (at least one)
    use_cache: bool = True  # prefix KV cache (implies prefix_lm)
    dual_cache: bool = False  # Fast-dLLM dual cache over the answer (needs use_cache)
    prefix_lm: bool = True  # prompt does not attend to the answer
    stop_at_eos: bool = True  # after a finished block holding EOS/EoT, fill the rest with EOS
    eos_logits_inf: bool = False  # never generate EOS (LLaDA logits_eos_inf)
    eos_confidence_inf: bool = False  # EOS/EoT are chosen last (LLaDA confidence_eos_eot_inf)
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
    tokens: Tensor  # [B, gen_length] the finished canvas
    unmask_step: Tensor  # [B, gen_length] step at which each token was decided (-1: fixed draft token)
    nfe: int  # denoising forward passes (the prompt prefill is not counted)


def sample_text(
    denoise: Denoise,
    ids: TextTokenIds,
    config: TextSamplerConfig,
    batch: int,
    draft: Tensor | None = None,
    on_step: StepCallback | None = None,
    device: torch.device | str = "cpu",
) -> TextSample:
    """Decodes `batch` canvases of `config.gen_length` tokens. draft [B, gen_length]: fixed tokens, with the mask
    id where the sampler decides (e.g. an edit's image slots after its plan)."""
    config.validate()
    mask_id, stops = ids.mask_token_id, torch.tensor([ids.eos_token_id, ids.eot_token_id], device=device)
    canvas = torch.full((batch, config.gen_length), mask_id, dtype=torch.long, device=device)
    if draft is not None:
        canvas = draft.clone().to(device)
    fixed = canvas != mask_id
    unmask_step = torch.full_like(canvas, -1)
    blocks = config.gen_length // config.block_length
    steps_per_block = config.steps // blocks if config.threshold is None else config.block_length
    positions = torch.arange(config.gen_length, device=device)
    nfe = 0
    for b in range(blocks):
        start, end = b * config.block_length, (b + 1) * config.block_length
        in_block = (positions >= start) & (positions < end)
        per_row = [
            transfer_counts(int(n), steps_per_block, config.schedule, config.shift)
            for n in ((canvas == mask_id) & in_block).sum(dim=1)
        ]
        for step in range(steps_per_block):
            masked = (canvas == mask_id) & in_block
            if not bool(masked.any()):
                break
            out = denoise(canvas, nfe, BlockPass(start, end, step == 0))
            nfe += 1
            confidence = out.confidence
            if config.eos_confidence_inf:
                confidence = confidence.masked_fill(torch.isin(out.ids, stops), float("-inf"))
            confidence = confidence.masked_fill(~masked, float("-inf"))
            if config.threshold is not None:
                chosen = select_threshold(confidence, config.threshold)
            else:
                counts = torch.tensor([row[step] for row in per_row], device=device)
                chosen = select_scheduled(confidence, counts) & masked
            canvas = torch.where(chosen, out.ids, canvas)
            unmask_step = torch.where(chosen, nfe - 1, unmask_step)
            if on_step is not None:
                on_step(nfe, canvas)
        if config.stop_at_eos:
            canvas, done = stop_rows_at_eos(canvas, fixed, end, stops, ids.eos_token_id, mask_id)
            if bool(done.all()):
                break
    return TextSample(canvas, unmask_step, nfe)


def stop_rows_at_eos(
    canvas: Tensor, fixed: Tensor, end: int, stops: Tensor, eos_id: int, mask_id: int
) -> tuple[Tensor, Tensor]:
    """Rows whose decoded part (up to `end`) holds EOS/EoT and which have no fixed tokens later are finished:
    their remaining masks become EOS. Returns the canvas and which rows are finished."""
    decoded_stop = torch.isin(canvas[:, :end], stops).any(dim=1)
    later_fixed = fixed[:, end:].any(dim=1)
    finished = decoded_stop & ~later_fixed
    fill = finished[:, None] & (canvas == mask_id)
    canvas = torch.where(fill, torch.full_like(canvas, eos_id), canvas)
    return canvas, finished | ~(canvas == mask_id).any(dim=1)
