"""The LaViDa-R1 post-training loop: `run` trains a config's steps (or pauses at one) and writes OUT/latest
(model + optimizer + step, swapped in atomically), OUT/log.csv and OUT/config.json. The command is
`python -m lavida_r1.rl.train`."""

from __future__ import annotations

from pathlib import Path

import torch

from ..config_files import write_config
from ..data.examples import ExampleBuilder
from ..distributed import start_shard
from ..model import LavidaForMaskedDiffusion, load_checkpoint
from ..progress import CsvLog, Progress
from ..tokenizer import load_tokenizer
from ..training_state import LATEST, load_training_state, save_training_state
from .config import RLConfig
from .groups import EditReward
from .rewards import RewardEndpoint, oracle_edit_reward
from .step import rl_step

COLUMNS = ["family", "loss", "reward", "best_reward", "forced", "kl", "grad_norm", "seconds"]


def trainable(model: LavidaForMaskedDiffusion) -> list[torch.nn.Parameter]:
    """Everything but the VQ tokenizer, which stays frozen as in SFT."""
    return [p for n, p in model.named_parameters() if not n.startswith("model.vqvae.")]


def run(config: RLConfig, resume: bool, until: int | None = None) -> LavidaForMaskedDiffusion:
    torch.set_num_threads(config.threads)
    shard = start_shard(torch.device("cpu"))
    out = Path(config.out)
    lead = shard.lead
    if lead:
        out.mkdir(parents=True, exist_ok=True)
        write_config(config, out / "config.json")
    start, optimizer_state = 0, None
    if resume and (out / LATEST).exists():
        model, optimizer_state, start = load_training_state(out / LATEST)
    else:
        model = load_checkpoint(config.init_checkpoint)
    shard.check_same_start(start)
    model.model.vqvae.eval().requires_grad_(False)
    params = trainable(model)
    optimizer = torch.optim.AdamW(params, lr=config.lr, betas=(0.9, 0.99), weight_decay=config.weight_decay)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    reference = (
        load_checkpoint(config.init_checkpoint).eval().requires_grad_(False) if config.regularizer == "kl" else None
    )
    tokenizer = load_tokenizer(config.tokenizer, model.config)
    builder = ExampleBuilder(model.config, tokenizer, config.answer_lengths, False, model.model.vqvae)
    edit_reward: EditReward = RewardEndpoint(config.reward_endpoint) if config.reward_endpoint else oracle_edit_reward
    log = CsvLog(out / "log.csv", COLUMNS, start) if lead else None
    stop = min(until, config.steps) if until is not None else config.steps
    progress = Progress(stop, start, config.log_every)
    if lead:
        where = f"{shard.world} processes" if shard.world > 1 else "1 process"
        progress.note(f"rl: steps {start + 1}-{stop} of {config.steps}, {where} on cpu, out {out}")
    for step in range(start, stop):
        stats = rl_step(model, reference, optimizer, params, tokenizer, builder, config, step, shard, edit_reward)
        if lead:
            log.append(step + 1, **stats)
            progress.update(step + 1, family=stats["family"], loss=stats["loss"], reward=stats["reward"])
        if (step + 1) % config.save_every == 0 or step + 1 == stop:
            if lead:
                save_training_state(out / LATEST, model, optimizer, step + 1)
            shard.barrier()
    shard.close()
    return model
