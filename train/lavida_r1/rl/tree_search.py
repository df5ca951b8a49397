"""Edit rollouts: N i.i.d. (plan, image) samples, then k-1 rounds that branch N continuations from the best
sample so far, restarted at an early image-denoising step (LaViDa-R1's tree search for reward-only tasks).

A sample is stored compactly as its final tokens and the step at which each image token was committed; the
canvas at step s is recovered as the final tokens committed before s (everything else masked).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import torch
from PIL import Image
from torch import Tensor

from .. import prompts
from ..data.examples import Example
from ..inference import vq_to_image
from ..model import LavidaForMaskedDiffusion
from ..sampling.image import ImageSamplerConfig, generate_image
from ..sampling.text import TextSamplerConfig, generate_text


@dataclass
class EditState:
    answer_ids: list[int]  # plan + generation slots + EOT
    vq: Tensor  # [grid, grid] final VQ ids
    unmask_step: Tensor  # [grid*grid] image step at which each token was committed
    reward: float = 0.0
    parent: int | None = None  # index of the sample it branched from


def canvas_at(state: EditState, step: int, mask_id: int) -> Tensor:
    """The image canvas before denoising step `step`: tokens committed earlier, the rest masked."""
    flat = state.vq.flatten()
    return torch.where(state.unmask_step < step, flat, mask_id).view_as(state.vq)


def _plans(
    model: LavidaForMaskedDiffusion,
    example: Example,
    features: Tensor,
    n: int,
    plan_length: int,
    temperature: float,
    seed: int,
) -> Tensor:
    c = model.config
    grid = c.vq.grid_size
    draft = torch.tensor([[c.mask_token_id] * plan_length + [c.gen_token_id] * prompts.vq_slots(c) + [c.eot_token_id]])
    config = TextSamplerConfig(
        gen_length=draft.shape[1],
        block_length=draft.shape[1],
        steps=plan_length,
        temperature=temperature,
        seed=seed,
        stop_at_eos=False,
    )
    return generate_text(
        model,
        torch.tensor([example.prompt_ids]).repeat(n, 1),
        config,
        image_features=features.repeat(n, 1, 1),
        draft=draft.repeat(n, 1),
        edit_vq=example.edit_vq[None].repeat(n, 1, 1),
        gen_vq=torch.full((n, grid, grid), c.image_mask_token_id),
    ).tokens


def _images(
    model: LavidaForMaskedDiffusion,
    example: Example,
    features: Tensor,
    plans: Tensor,
    config: ImageSamplerConfig,
    init_vq: Tensor | None = None,
    start_step: int = 0,
):
    n = plans.shape[0]
    sequence = torch.cat((torch.tensor([example.prompt_ids]).repeat(n, 1), plans), dim=1)
    return generate_image(
        model,
        sequence,
        config,
        image_features=features.repeat(n, 1, 1),
        edit_vq=example.edit_vq[None].repeat(n, 1, 1),
        init_vq=init_vq,
        start_step=start_step,
        prefix_len=len(example.prompt_ids),
    )


def tree_search(
    model: LavidaForMaskedDiffusion,
    example: Example,
    reward: Callable[[Image.Image], float],
    n: int,
    rounds: int,
    branch_step: int,
    image: ImageSamplerConfig,
    plan_length: int,
    temperature: float,
    seed: int,
) -> list[EditState]:
    """n * rounds samples; rounds == 1 is plain i.i.d. sampling."""
    mask_id = model.config.image_mask_token_id
    with torch.no_grad():
        features = model.encode_image(example.image)[None]
        plans = _plans(model, example, features, n, plan_length, temperature, seed)
        first = _images(model, example, features, plans, replace(image, seed=seed))
        states = [EditState(p, v, u) for p, v, u in zip(plans.tolist(), first.vq, first.unmask_step)]
        for state in states:
            state.reward = reward(vq_to_image(model, state.vq))
        for round_index in range(1, rounds):
            best = max(range(len(states)), key=lambda i: states[i].reward)
            parent = states[best]
            start = canvas_at(parent, branch_step, mask_id)[None].repeat(n, 1, 1)
            config = replace(image, seed=seed + round_index)
            branch = _images(
                model,
                example,
                features,
                torch.tensor([parent.answer_ids]).repeat(n, 1),
                config,
                init_vq=start,
                start_step=branch_step,
            )
            for vq, steps in zip(branch.vq, branch.unmask_step):
                inherited = torch.where(steps < 0, parent.unmask_step, steps)
                child = EditState(parent.answer_ids, vq, inherited, parent=best)
                child.reward = reward(vq_to_image(model, vq))
                states.append(child)
    return states
