"""LaViDa-R1 unified post-training of a checkpoint on the synthetic world.

    python -m lavida_r1.rl.train --config configs/rl-tiny.json [--resume] [--until STEP]
    torchrun --nproc_per_node 2 -m lavida_r1.rl.train --config ...      # data-parallel, gloo on CPU

Writes OUT/latest (model + optimizer + step, swapped in atomically), OUT/log.csv and OUT/config.json.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.distributed as dist

from ..config_files import training_cli
from ..model import LavidaForMaskedDiffusion, load_checkpoint
from ..progress import CsvLog, Progress
from ..sft.examples import ExampleBuilder
from ..sft.state import load_training_state, save_training_state
from ..tokenizer import load_tokenizer
from .config import RLConfig
from .groups import EditReward
from .rewards import RewardEndpoint, oracle_edit_reward
from .step import Shard, rl_step

LATEST = "latest"
COLUMNS = ["family", "loss", "reward", "best_reward", "forced", "kl", "grad_norm", "seconds"]


def trainable(model: LavidaForMaskedDiffusion) -> list[torch.nn.Parameter]:
    """Everything but the VQ tokenizer, which stays frozen as in SFT."""
    return [p for n, p in model.named_parameters() if not n.startswith("model.vqvae.")]


def start_shard() -> Shard:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        dist.init_process_group("gloo")
        return Shard(dist.get_rank(), world)
    return Shard()


def run(config: RLConfig, resume: bool, until: int | None = None) -> LavidaForMaskedDiffusion:
    torch.set_num_threads(config.threads)
    shard = start_shard()
    out = Path(config.out)
    lead = shard.rank == 0
    if lead:
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(config.to_json() + "\n")
    start, optimizer_state = 0, None
    if resume and (out / LATEST).exists():
        model, optimizer_state, start = load_training_state(out / LATEST)
    else:
        model = load_checkpoint(config.init_checkpoint)
    model.model.vqvae.eval().requires_grad_(False)
    params = trainable(model)
    optimizer = torch.optim.AdamW(params, lr=config.lr, betas=(0.9, 0.99), weight_decay=config.weight_decay)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    reference = load_checkpoint(config.init_checkpoint).eval().requires_grad_(False) if config.regularizer == "kl" else None
    tokenizer = load_tokenizer(config.tokenizer, model.config)
    builder = ExampleBuilder(model.config, tokenizer, config.answer_lengths, False, model.model.vqvae)
    edit_reward: EditReward = RewardEndpoint(config.reward_endpoint) if config.reward_endpoint else oracle_edit_reward
    log = CsvLog(out / "log.csv", COLUMNS, start) if lead else None
    progress = Progress(config.steps, start)
    stop = min(until, config.steps) if until is not None else config.steps
    for step in range(start, stop):
        stats = rl_step(model, reference, optimizer, params, tokenizer, builder, config, step, shard, edit_reward)
        if lead:
            log.append(step + 1, **stats)
            if (step + 1) % config.log_every == 0 or step + 1 == stop:
                progress.update(step + 1, loss=stats["loss"], reward=stats["reward"])
        if (step + 1) % config.save_every == 0 or step + 1 == stop:
            if lead:
                save_training_state(out / LATEST, model, optimizer, step + 1)
            if shard.world > 1:
                dist.barrier()
    if shard.world > 1:
        dist.destroy_process_group()
    return model


def main(argv: list[str] | None = None) -> None:
    training_cli(argv, "LaViDa-R1 unified SFT + RL post-training on the synthetic world.", "rl", RLConfig.from_file,
                 run, "lavida_r1/rl/config.py")


if __name__ == "__main__":
    main()
