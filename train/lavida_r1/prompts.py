"""The sequence layouts lavida-r1-tiny is trained on, shared by SFT, export and the samplers.

- understanding (VQA, charts, multiple choice): user turn `<image>\\n{question}`; answer = reasoning text,
  `<answer>…</answer>`, `<|eot_id|>`, then `<|endoftext|>` padding to the canvas length.
- grounding (LaViDa-O's direct format): answer = `<LOC_BEGIN><LOC_x1><LOC_y1><LOC_x2><LOC_y2><LOC_END><|eot_id|>`.
- editing: user turn `<image>\\n{edit slots}\\n{instruction}` (the source as SigLIP features and as VQ ids);
  answer = the plan padded with `<|endoftext|>` to the plan length, the generation slots, `<|eot_id|>`. At
  inference the plan is decoded first with the slots in place (all masked), then the image.
"""

from __future__ import annotations

from tokenizers import Tokenizer

from .boxes import box_to_bins
from .model.chat import IMAGE, SYSTEM_PROMPT, render_prompt
from .model.config import LavidaConfig
from .tokenizer import EDIT_SLOTS, encode_with_slots


def vq_slots(config: LavidaConfig) -> int:
    """LM positions of one VQ image (2x2 down-sampled grid)."""
    grid = config.vq.grid_size
    return (grid // 2) ** 2 if config.downsample else grid * grid


def prompt_ids(
    tokenizer: Tokenizer, config: LavidaConfig, question: str, image_tokens: int, system: bool, edit: bool = False
) -> list[int]:
    """A question that already holds one `<image>` (LLaVA / lmms-eval style) keeps the image there."""
    named = question.count(IMAGE)
    if named > 1:
        raise ValueError(f"the text names {IMAGE} {named} times; a request carries one image")
    user = f"{EDIT_SLOTS}\n{question}" if edit else question
    text = render_prompt(user, image=named == 0, system=SYSTEM_PROMPT if system else None)
    return encode_with_slots(
        tokenizer, text, config, image_tokens=image_tokens, edit_tokens=vq_slots(config) if edit else 0
    )


def edit_condition_mask(config: LavidaConfig, ids: list[int]) -> list[bool]:
    """The instruction of an edit prompt, which classifier-free guidance masks in its unconditional variants
    (`sampling.image.guidance_variants`): the user turn's tokens after the edit-source slots, up to the
    `<|eot_id|>` that closes the turn."""
    last = max(i for i, t in enumerate(ids) if t == config.edit_token_id)
    end = ids.index(config.eot_token_id, last)
    return [last < i < end for i in range(len(ids))]


class CanvasOverflow(ValueError):
    """An answer longer than its canvas: `needed` tokens against `canvas`."""

    def __init__(self, needed: int, canvas: int) -> None:
        super().__init__(f"answer of {needed} tokens does not fit a canvas of {canvas}")
        self.needed, self.canvas = needed, canvas


def pad_answer(ids: list[int], length: int, config: LavidaConfig) -> list[int]:
    if len(ids) > length:
        raise CanvasOverflow(len(ids), length)
    return ids + [config.eos_token_id] * (length - len(ids))


def text_answer_ids(tokenizer: Tokenizer, config: LavidaConfig, target: str, length: int) -> list[int]:
    ids = tokenizer.encode(target, add_special_tokens=False).ids + [config.eot_token_id]
    return pad_answer(ids, length, config)


def grounding_answer_ids(config: LavidaConfig, box: list[float], image_size: tuple[int, int]) -> list[int]:
    bins = box_to_bins(box, image_size, config.num_loc_bins)
    return [config.loc_begin_id, *(config.loc_token(b) for b in bins), config.loc_end_id, config.eot_token_id]


def edit_answer_ids(tokenizer: Tokenizer, config: LavidaConfig, plan: str, plan_length: int) -> list[int]:
    plan_ids = pad_answer(tokenizer.encode(plan, add_special_tokens=False).ids, plan_length, config)
    return plan_ids + [config.gen_token_id] * vq_slots(config) + [config.eot_token_id]
