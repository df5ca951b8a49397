"""The VQ training loop: L1 reconstruction on [-1, 1] pixels + diffusers' VQ loss (commitment + codebook,
the codebook moved by gradient) + `locality_weight` x the locality term (locality.py: unchanged cells of each
(source, target) pair get the same latents; off by default), Adam, linear warm-up then cosine decay, dead-code
restarts.

The first `ae_warmup` steps bypass the quantizer (a plain autoencoder): quantizing from step 0 collapses the
codebook onto a few codes before the encoder has learnt anything worth separating. The first restart, at
`ae_warmup`, then seeds the whole codebook from trained encoder outputs.

Exact resume: the model, optimizer, step, code-usage counters and torch RNG state are checkpointed; batches
and restart picks are functions of (seed, step), so a resumed run repeats an uninterrupted one bitwise.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from diffusers import VQModel
from torch import Tensor

from ..fsutil import write_atomic
from ..model.config import LavidaConfig
from ..model.generation import build_vqvae, vq_latents
from ..progress import CsvLog, Progress
from .codebook import restart_dead_codes
from .data import eval_kinds, eval_pixels, train_batch
from .load import save_vqvae
from .locality import locality_loss
from .report import edit_report, quick_eval
from .state import load_state, save_state

LOG_COLUMNS = [
    "loss",
    "recon_l1",
    "vq_loss",
    "locality",
    "lr",
    "batch_codes",
    "restarted",
    "eval_exact",
    "eval_mae_255",
    "eval_retention",
]


@dataclass(frozen=True)
class TrainArgs:
    steps: int = 3000
    batch: int = 32
    seed: int = 0
    lr: float = 1e-3
    warmup: int = 50
    ae_warmup: int = 600  # steps without quantization (see the module docstring)
    restart_every: int = 25  # dead-code restart period (steps), counted from ae_warmup
    restart_until: float = 0.75  # no restarts in the last quarter: let the final codebook settle
    restart_by_error: bool = False  # restart rows drawn by their distance to the live codes (codebook.py)
    checkpoint_every: int = 100
    eval_every: int = 250
    quick_eval_samples: int = 32  # eval-split edits (x2 images) scored during training
    report_samples: int = 256  # eval-split edits (x2 images) in vq_report.json
    locality_weight: float = 0.0  # weight of the locality term (0: not computed, the loss of earlier runs)


def learning_rate(args: TrainArgs, step: int) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(args.steps - args.warmup, 1)
    return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


class Trainer:
    def __init__(self, config: LavidaConfig, args: TrainArgs) -> None:
        self.args = args
        torch.manual_seed(args.seed)
        self.vqvae: VQModel = build_vqvae(config)
        self.optimizer = torch.optim.Adam(self.vqvae.parameters(), lr=args.lr)
        self.usage = torch.zeros(self.vqvae.quantize.n_e, dtype=torch.long)
        self.step = 0
        self.elapsed = 0.0  # training seconds over all runs

    def state(self) -> dict:
        return {
            "model": self.vqvae.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "usage": self.usage,
            "rng": torch.get_rng_state(),
            "elapsed": self.elapsed,
            "args": asdict(self.args),
        }

    def load(self, state: dict) -> None:
        # fields added since a checkpoint was written have defaults that keep the earlier behaviour
        saved = {**asdict(TrainArgs()), **state["args"]}
        if saved != asdict(self.args):
            raise ValueError(f"checkpoint was trained with {saved}, not {asdict(self.args)}")
        self.vqvae.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.usage, self.step, self.elapsed = state["usage"], state["step"], state["elapsed"]
        torch.set_rng_state(state["rng"])

    def maybe_restart(self, pixels: Tensor) -> int:
        a = self.args
        since = self.step - a.ae_warmup
        if since < 0 or since % a.restart_every or self.step >= a.restart_until * a.steps:
            return 0
        with torch.no_grad():
            latents = vq_latents(self.vqvae, pixels)
        generator = torch.Generator().manual_seed(a.seed * 1_000_003 + self.step)
        restarted = restart_dead_codes(
            self.vqvae.quantize.embedding,
            self.usage,
            latents.permute(0, 2, 3, 1).reshape(-1, latents.shape[1]),
            generator,
            a.restart_by_error,
        )
        self.usage.zero_()
        return restarted

    def train_step(self) -> dict[str, float | None]:
        pixels = train_batch(self.args.seed, self.step, self.args.batch)
        restarted = self.maybe_restart(pixels)
        lr = learning_rate(self.args, self.step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        latents = vq_latents(self.vqvae, pixels)
        # decode() would quantize internally too; calling quantize here also yields the ids for usage counts
        quant, vq_loss, (_, _, ids) = self.vqvae.quantize(latents)
        if self.step < self.args.ae_warmup:
            quant, vq_loss = latents, torch.zeros(())
        recon = self.vqvae.decode(quant, force_not_quantize=True).sample
        recon_l1 = (recon - pixels).abs().mean()
        loss = recon_l1 + vq_loss
        locality = None
        if self.args.locality_weight:
            locality = locality_loss(latents, pixels, pixels.shape[-1] // latents.shape[-1])
            loss = loss + self.args.locality_weight * locality
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self.step >= self.args.ae_warmup:
            self.usage += torch.bincount(ids.flatten(), minlength=self.usage.numel())
        self.step += 1
        return {
            "loss": loss.item(),
            "recon_l1": recon_l1.item(),
            "vq_loss": vq_loss.item(),
            "locality": None if locality is None else locality.item(),
            "lr": lr,
            "batch_codes": float(ids.unique().numel()),
            "restarted": float(restarted),
        }


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2) + "\n")


def train(config: LavidaConfig, args: TrainArgs, out: Path, resume: bool = False) -> dict:
    """Trains, writes out/vqvae/ and out/vq_report.json; returns the report."""
    out.mkdir(parents=True, exist_ok=True)
    trainer = Trainer(config, args)
    state = load_state(out) if resume else None
    if state is not None:
        trainer.load(state)
    log = CsvLog(out / "log.csv", LOG_COLUMNS, resume_step=trainer.step)
    progress = Progress(args.steps, start=trainer.step)
    held_out = eval_pixels(args.quick_eval_samples)
    began = time.monotonic() - trainer.elapsed
    while trainer.step < args.steps:
        row: dict[str, float | None] = {
            **trainer.train_step(),
            "eval_exact": None,
            "eval_mae_255": None,
            "eval_retention": None,
        }
        trainer.elapsed = time.monotonic() - began
        if trainer.step % args.eval_every == 0 or trainer.step == args.steps:
            row["eval_exact"], row["eval_mae_255"], row["eval_retention"] = quick_eval(trainer.vqvae, held_out)
        log.append(trainer.step, **row)
        progress.update(trainer.step, loss=row["loss"], l1=row["recon_l1"], vq=row["vq_loss"], codes=row["batch_codes"])
        if trainer.step % args.checkpoint_every == 0 or trainer.step == args.steps:
            save_state(out, trainer.state())
    save_vqvae(trainer.vqvae, out)
    report = {
        "split": "eval",
        "edit_samples": args.report_samples,
        **edit_report(trainer.vqvae, eval_pixels(args.report_samples), eval_kinds(args.report_samples)),
        "train": {**asdict(args), "train_seconds": round(trainer.elapsed, 1), "threads": torch.get_num_threads()},
        "vq_config": asdict(config.vq),
    }
    write_json(out / "vq_report.json", report)
    return report
