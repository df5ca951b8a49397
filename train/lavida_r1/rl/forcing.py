"""Answer-forced responses: correct by construction, for a prompt whose rollouts all failed.

Text: `<answer> z* </answer><|eot_id|>` is fixed at the end of the canvas and the reasoning is inpainted into
the masked head in front of it. The head may not write a token whose text contains "<" or is empty. That bars
EOS and EoT (decoding cuts at the first one), every piece an answer tag can start with (the tiny tokenizer
writes `<answer>` as ` <` `answer` `>` or `<` `answer` `>`, and `</answer>` as `</` `answer` `>`), the mask,
LOC and control tokens, and ids the tokenizer has no text for. So the decoded response is reasoning without
"<" followed by the forced answer, and it scores exactly as the ground truth does, format reward included
(short of a reasoning of whitespace alone, which the format rule refuses).

Grounding answers carry no reasoning: the forced response is the true box's canvas, scored like a rollout.
"""

from __future__ import annotations

from typing import Any

import torch
from tokenizers import Tokenizer
from torch import Tensor

from ..boxes import bins_to_box
from ..data.examples import Example
from ..inference import decode_text
from ..model import LavidaForMaskedDiffusion
from ..model.config import LavidaConfig
from ..sampling.denoise import BlockPass
from ..sampling.grounding_loop import LOC_SLOTS
from ..sampling.text import TextDenoiser
from ..sampling.text_loop import sample_text
from .rollouts import Rollout, prompt_batch, text_sampler


def forced_answer_ids(tokenizer: Tokenizer, model: LavidaForMaskedDiffusion, answer: str) -> list[int]:
    return tokenizer.encode(f" <answer>{answer}</answer>", add_special_tokens=False).ids + [model.config.eot_token_id]


def barred_ids(tokenizer: Tokenizer, config: LavidaConfig) -> Tensor:
    """Every id (of the model's logits) whose decoded text contains "<" or is empty."""
    texts = tokenizer.decode_batch([[i] for i in range(config.embedding_size)], skip_special_tokens=False)
    return torch.tensor([i for i, text in enumerate(texts) if "<" in text or not text])


class BarredDenoiser(TextDenoiser):
    """The PyTorch text denoiser with the barred ids' logits at -inf: they are never chosen."""

    def __init__(self, barred: Tensor, *args: Any) -> None:  # args: TextDenoiser's
        super().__init__(*args)
        self.barred = barred.to(self.prompt_ids.device)

    def logits(self, canvas: Tensor, block: BlockPass) -> Tensor:
        return super().logits(canvas, block).index_fill(-1, self.barred, float("-inf"))


def forced_text_rollout(
    model: LavidaForMaskedDiffusion,
    tokenizer: Tokenizer,
    example: Example,
    answer: str,
    length: int,
    tokens_per_step: int,
    temperature: float,
    seed: int,
) -> Rollout:
    """The reasoning is sampled into the masked head of the canvas; the answer span stays exactly as given."""
    forced = forced_answer_ids(tokenizer, model, answer)
    c = model.config
    draft = torch.tensor([[c.mask_token_id] * (length - len(forced)) + forced])
    ids, features = prompt_batch(model, example, 1)
    config = text_sampler(length, tokens_per_step, temperature, seed, stop_at_eos=False)
    with torch.no_grad():
        barred = barred_ids(tokenizer, c)
        denoise = BarredDenoiser(barred, model, ids, torch.ones_like(ids), features, None, None, config)
        row = sample_text(denoise, c, config, 1, draft, device=ids.device).tokens[0].tolist()
    return Rollout(row, decode_text(tokenizer, row, {c.eos_token_id, c.eot_token_id}), forced=True)


def forced_grounding_rollout(model: LavidaForMaskedDiffusion, example: Example, image_size: tuple[int, int]) -> Rollout:
    """The example's own canvas (`<LOC_BEGIN>` four LOC tokens `<LOC_END><|eot_id|>`) and the box it decodes to."""
    c = model.config
    bins = [token - c.loc_token_offset for token in example.answer_ids[1 : 1 + LOC_SLOTS]]
    return Rollout(list(example.answer_ids), "", box=bins_to_box(bins, image_size, c.num_loc_bins), forced=True)
