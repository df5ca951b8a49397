"""The text sampler on the PyTorch model: the `text_loop` driven by `TextDenoiser`.

The denoiser runs the answer canvas against LaViDa's prefix KV cache (the prompt is encoded once), or without a
cache under the same prefix-LM attention, and with Fast-dLLM's dual cache on top of the prefix cache (the first
pass of a block runs the whole canvas and keeps its keys; the block's other passes run the block only, against
those keys: approximate, since the rest of the canvas is not re-encoded until the next block). Candidates come
from float64 Gumbel-max sampling with temperature (greedy at 0), optionally never EOS.

Batches: prompts are left-padded (`prompt_mask` 0 on padding) and positions count real tokens only, so a row
decodes the same tokens alone or in a batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..model import LavidaForMaskedDiffusion
from ..model.llada import PrefixCache
from .denoise import BlockPass, Candidates, StepCallback
from .noise import choose_tokens
from .text_loop import TextSample, TextSamplerConfig, sample_text


def prompt_positions(prompt_mask: Tensor) -> Tensor:
    return (prompt_mask.long().cumsum(dim=1) - 1).clamp(min=0)


def answer_positions(prompt_mask: Tensor, length: int) -> Tensor:
    """[B, length] positions of the canvas after each (left-padded) prompt's real tokens."""
    return prompt_mask.long().sum(dim=1, keepdim=True) + torch.arange(length, device=prompt_mask.device)[None]


def prefill(
    model: LavidaForMaskedDiffusion,
    prompt_ids: Tensor,
    prompt_mask: Tensor,
    image_features: Tensor | None = None,
    edit_vq: Tensor | None = None,
) -> PrefixCache:
    """The prompt's prefix KV cache."""
    return model(
        prompt_ids,
        image_features=image_features,
        edit_vq=edit_vq,
        attention_mask=prompt_mask,
        position_ids=prompt_positions(prompt_mask),
        use_cache=True,
    ).cache


class TextDenoiser:
    """`Denoise` over the answer canvas, with or without the prefix cache, and with the dual cache when configured."""

    def __init__(
        self,
        model: LavidaForMaskedDiffusion,
        prompt_ids: Tensor,
        prompt_mask: Tensor,
        image_features: Tensor | None,
        edit_vq: Tensor | None,
        gen_vq: Tensor | None,
        config: TextSamplerConfig,
    ) -> None:
        if config.dual_cache and gen_vq is not None:
            raise ValueError("the dual cache is for text canvases (no generation slots)")
        self.model, self.prompt_ids, self.prompt_mask = model, prompt_ids, prompt_mask
        self.image_features, self.edit_vq, self.gen_vq, self.config = image_features, edit_vq, gen_vq, config
        self.answer_pos = answer_positions(prompt_mask, config.gen_length)
        self.generator = (
            None if config.seed is None else torch.Generator(device=prompt_ids.device).manual_seed(config.seed)
        )
        self.cache = self.window = None
        if config.use_cache:
            self.cache = prefill(model, prompt_ids, prompt_mask, image_features, edit_vq)

    def __call__(self, canvas: Tensor, step: int, block: BlockPass | None = None) -> Candidates:
        logits = self.logits(canvas, block)
        if self.config.eos_logits_inf:
            logits[..., self.model.config.eos_token_id] = float("-inf")
        return Candidates(*choose_tokens(logits, self.config.temperature, self.config.remasking, self.generator))

    def logits(self, canvas: Tensor, block: BlockPass) -> Tensor:
        """Logits [B, gen_length, V]; with the dual cache, outside `block` they are 0 after the block's first pass."""
        ones = torch.ones_like(canvas)
        if self.config.dual_cache and not block.first:
            start, end = block.start, block.end
            logits = self.model(
                canvas[:, start:end],
                attention_mask=ones[:, start:end],
                position_ids=self.answer_pos[:, start:end],
                past=self.window,
            ).logits
            return F.pad(logits, (0, 0, start, canvas.shape[1] - end))
        if self.cache is not None:
            out = self.model(
                canvas,
                gen_vq=self.gen_vq,
                attention_mask=ones,
                position_ids=self.answer_pos,
                past=self.cache,
                use_cache=self.config.dual_cache,
            )
            if self.config.dual_cache:
                positions = torch.arange(canvas.shape[1], device=canvas.device)
                in_block = (positions >= block.start) & (positions < block.end)
                self.window = self.cache.join(out.cache, in_block[None].expand_as(canvas))
            return out.logits
        ids = torch.cat((self.prompt_ids, canvas), dim=1)
        positions = torch.cat((prompt_positions(self.prompt_mask), self.answer_pos), dim=1)
        prefix = self.prompt_ids.shape[1] if self.config.prefix_lm else None
        out = self.model(
            ids,
            image_features=self.image_features,
            edit_vq=self.edit_vq,
            gen_vq=self.gen_vq,
            attention_mask=torch.cat((self.prompt_mask, ones), 1),
            position_ids=positions,
            prefix_len=prefix,
        )
        return out.logits[:, self.prompt_ids.shape[1] :]


@torch.no_grad()
def generate_text(
    model: LavidaForMaskedDiffusion,
    prompt_ids: Tensor,
    config: TextSamplerConfig,
    image_features: Tensor | None = None,
    prompt_mask: Tensor | None = None,
    draft: Tensor | None = None,
    on_step: StepCallback | None = None,
    edit_vq: Tensor | None = None,
    gen_vq: Tensor | None = None,
) -> TextSample:
    """Decodes `config.gen_length` answer tokens after `prompt_ids` [B, P].

    draft [B, gen_length]: fixed tokens, with the mask id where the sampler decides (e.g. an edit's image
    slots after its plan). edit_vq: the edit source behind the prompt's edit slots; gen_vq: the (masked)
    canvas behind generation slots in the draft.
    """
    if prompt_mask is None:
        prompt_mask = torch.ones_like(prompt_ids)
    denoise = TextDenoiser(model, prompt_ids, prompt_mask, image_features, edit_vq, gen_vq, config)
    return sample_text(denoise, model.config, config, prompt_ids.shape[0], draft, on_step, prompt_ids.device)
