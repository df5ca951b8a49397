"""One RL step: the step's family, its prompt groups (sharded over processes by group index), SFT samples
attached to groups, the unified loss, gradients summed across processes, one optimizer step.

Every random draw is keyed by (seed, step, group), never by process, so a run on any number of processes
sees the same rollouts, maskings and answer-forcing decisions as a single-process run.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import torch
from tokenizers import Tokenizer

from ..data.batch import collate
from ..data.examples import Example, ExampleBuilder
from ..distributed import Shard
from ..model import LavidaForMaskedDiffusion
from ..world import generate
from .config import RLConfig
from .groups import EditReward, Group, run_group
from .likelihood import estimate, response_of
from .objective import k3_kl, unified_loss

SFT_INDEX_OFFSET = 50_000_000  # SFT samples come from another stretch of the train split than rollout prompts


def group_seed(seed: int, step: int, index: int) -> int:
    return ((seed * 1_000_003 + step) * 10_007 + index) % (2**62)


def step_family(seed: int, step: int, mixture: dict[str, float]) -> str:
    families = [f for f, w in mixture.items() if w > 0]
    return random.Random(f"rl/{seed}/{step}").choices(families, weights=[mixture[f] for f in families])[0]


def _sample(family: str, index: int, seed: int):
    options = (
        {"setting": random.Random(f"mcq/{seed}/{index}").choice(["standard", "vision"])} if family == "mcq" else {}
    )
    return generate(family, "train", index, seed, **options)


@dataclass
class Work:
    group: Group
    sft: list[Example] = field(default_factory=list)

    def examples(self) -> tuple[list[Example], list[float]]:
        return self.group.examples + self.sft, self.group.advantages + [1.0] * len(self.sft)


def collect(
    model,
    tokenizer: Tokenizer,
    builder: ExampleBuilder,
    config: RLConfig,
    step: int,
    family: str,
    shard: Shard,
    edit_reward: EditReward,
) -> dict[int, Work]:
    work = {}
    model.eval()
    for j in range(shard.rank, config.prompts_per_step, shard.world):
        sample = _sample(family, step * config.prompts_per_step + j, config.seed)
        work[j] = Work(
            run_group(model, tokenizer, builder, sample, config, group_seed(config.seed, step, j), edit_reward)
        )
    if config.regularizer == "sft":
        for i in range(config.sft_per_step):
            if i % config.prompts_per_step in work:
                sample = _sample(family, SFT_INDEX_OFFSET + step * config.sft_per_step + i, config.seed)
                work[i % config.prompts_per_step].sft.append(builder.build(sample))
    model.train()
    return work


def rl_step(
    model: LavidaForMaskedDiffusion,
    reference: LavidaForMaskedDiffusion | None,
    optimizer,
    params,
    tokenizer: Tokenizer,
    builder: ExampleBuilder,
    config: RLConfig,
    step: int,
    shard: Shard,
    edit_reward: EditReward,
) -> dict[str, float | str]:
    began = time.monotonic()
    family = step_family(config.seed, step, config.mixture)
    work = collect(model, tokenizer, builder, config, step, family, shard, edit_reward)
    local = sum(len(w.examples()[0]) for w in work.values())
    total = int(shard.sum([local])[0])
    optimizer.zero_grad(set_to_none=True)
    loss_sum = kl_sum = 0.0
    for j, item in sorted(work.items()):
        examples, advantages = item.examples()
        batch = collate(examples, model.config)
        response = response_of(model, batch)
        draw = estimate(
            config.estimator,
            response,
            torch.Generator().manual_seed(group_seed(config.seed, step, j)),
            config.mc_samples,
        )
        loss = unified_loss(draw.value, response.eligible.sum(dim=1), torch.tensor(advantages), total)
        if config.regularizer == "kl":
            with torch.no_grad():
                reference_logp = response_of(reference, batch).logprob_fn(draw.masks)
            kl = k3_kl(draw.token_logp, reference_logp, draw.masks)
            loss = loss + config.kl_beta * kl.sum() / total
            kl_sum += kl.sum().item()
        loss.backward()
        loss_sum += loss.item()
    for p in params:  # every trainable weight takes an optimizer step, used in this step or not
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    shard.sum_gradients(params)
    norm = torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
    optimizer.step()
    rewards = [r for w in work.values() for r in w.group.rewards]
    best = [max(w.group.rewards) for w in work.values()]
    loss, kl, reward, count, best_sum, forced = shard.sum(
        [loss_sum, kl_sum, sum(rewards), len(rewards), sum(best), sum(w.group.forced for w in work.values())]
    )
    groups = config.prompts_per_step
    return {
        "family": family,
        "loss": loss,
        "reward": reward / count,
        "best_reward": best_sum / groups,
        "forced": forced / groups,
        "kl": kl / total if config.regularizer == "kl" else 0.0,
        "grad_norm": float(norm),
        "seconds": time.monotonic() - began,
    }
