"""One prompt's group: its rollouts, their rewards, the answer-forced extra rollout when the whole group
fails, and the resulting training examples with their unified advantages."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Callable

import torch
from PIL import Image
from tokenizers import Tokenizer

from ..data.examples import Example, ExampleBuilder
from ..model import LavidaForMaskedDiffusion
from ..sampling.image import ImageSamplerConfig
from ..world import Sample
from .advantages import unified_advantages
from .config import RLConfig
from .forcing import forced_grounding_rollout, forced_text_rollout
from .rewards import grounding_reward, text_reward
from .rollouts import grounding_rollouts, text_rollouts
from .tree_search import tree_search

EditReward = Callable[[Sample, Image.Image], float]


@dataclass
class Group:
    examples: list[Example]  # rollouts (and the forced one last), laid out like SFT examples
    advantages: list[float]
    rewards: list[float]  # of the online rollouts only
    forced_reward: float | None  # of the answer-forced response; None when none joined the group

    @property
    def forced(self) -> bool:
        return self.forced_reward is not None


def answer_forcing_fires(rewards: list[float], probability: float, threshold: float, draw: float) -> bool:
    """Only when every rollout of a prompt failed, then with the configured probability (`draw` ~ U[0,1))."""
    return all(r < threshold for r in rewards) and draw < probability


def edit_sampler(config: RLConfig) -> ImageSamplerConfig:
    return ImageSamplerConfig(
        steps=config.image_steps, temperature=config.image_temperature, guidance_scale=0.0, image_guidance_scale=0.0
    )


def _online(
    model, tokenizer, example: Example, sample: Sample, config: RLConfig, seed: int, edit_reward: EditReward
) -> tuple[list[Example], list[float]]:
    n, family = config.group_size, sample.family
    if family == "edit":
        states = tree_search(
            model,
            example,
            lambda image: edit_reward(sample, image),
            n,
            config.tree_rounds,
            config.branch_step,
            edit_sampler(config),
            config.answer_lengths["edit"],
            config.temperature,
            seed,
        )
        return ([replace(example, answer_ids=s.answer_ids, target_vq=s.vq) for s in states], [s.reward for s in states])
    if family == "grounding":
        rollouts = grounding_rollouts(model, example, sample.image.size, n, config.box_temperature, seed)
        rewards = [grounding_reward(sample, r.box) for r in rollouts]
    else:
        rollouts = text_rollouts(
            model,
            tokenizer,
            example,
            n,
            config.answer_lengths[family],
            config.tokens_per_step,
            config.temperature,
            seed,
        )
        rewards = [text_reward(sample, r.text, config.format_reward) for r in rollouts]
    return [replace(example, answer_ids=r.answer_ids) for r in rollouts], rewards


def _forced(model, tokenizer, example: Example, sample: Sample, config: RLConfig, seed: int) -> tuple[Example, float]:
    """The answer-forced response (`forcing.py`), scored like any rollout."""
    if sample.family == "grounding":
        return example, grounding_reward(sample, forced_grounding_rollout(model, example, sample.image.size).box)
    rollout = forced_text_rollout(
        model,
        tokenizer,
        example,
        sample.target_answer or sample.answer,
        config.answer_lengths[sample.family],
        config.tokens_per_step,
        config.temperature,
        seed,
    )
    return replace(example, answer_ids=rollout.answer_ids), text_reward(sample, rollout.text, config.format_reward)


def run_group(
    model: LavidaForMaskedDiffusion,
    tokenizer: Tokenizer,
    builder: ExampleBuilder,
    sample: Sample,
    config: RLConfig,
    seed: int,
    edit_reward: EditReward,
) -> Group:
    example = builder.build(sample)
    examples, rewards = _online(model, tokenizer, example, sample, config, seed, edit_reward)
    online = list(rewards)
    fires = sample.family != "edit" and answer_forcing_fires(
        rewards, config.answer_forcing, config.success_threshold, random.Random(f"force/{seed}").random()
    )
    forced_reward = None
    if fires:
        extra, forced_reward = _forced(model, tokenizer, example, sample, config, seed)
        examples.append(extra)
        rewards.append(forced_reward)
    advantages = unified_advantages(
        torch.tensor([rewards], dtype=torch.float64), config.gamma, config.reward_noise_floor
    )[0].tolist()
    return Group(examples, advantages, online, forced_reward)
