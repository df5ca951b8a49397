"""python -m lavida_r1.vq_train --out DIR [--preset tiny|tiny-local-vq|tiny-cell-vq] [--steps N] [--batch B] [--seed S] [--lr LR]
    [--locality-weight W] [--resume]

Trains a preset's VQ tokenizer on world edit images (lavida_r1/vq/train.py) and writes DIR/vqvae/
(diffusers layout), DIR/vq_report.json, DIR/log.csv and the resumable DIR/state.pt.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .model.presets import get_preset
from .vq.train import TrainArgs, train


def main(argv: list[str] | None = None) -> None:
    defaults = TrainArgs()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--preset", default="tiny")
    p.add_argument("--steps", type=int, default=defaults.steps)
    p.add_argument("--batch", type=int, default=defaults.batch)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--lr", type=float, default=defaults.lr)
    p.add_argument("--ae-warmup", type=int, default=defaults.ae_warmup)
    p.add_argument("--restart-every", type=int, default=defaults.restart_every)
    p.add_argument(
        "--restart-by-error",
        action="store_true",
        help="restart dead codes from the latents farthest from the live codes, not uniformly drawn ones",
    )
    p.add_argument("--report-samples", type=int, default=defaults.report_samples)
    p.add_argument(
        "--locality-weight",
        type=float,
        default=defaults.locality_weight,
        help="weight of the term that gives cells an edit leaves unchanged the same latents",
    )
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--resume", action="store_true", help="continue from DIR/state.pt if present")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    args = TrainArgs(
        steps=a.steps,
        batch=a.batch,
        seed=a.seed,
        lr=a.lr,
        ae_warmup=a.ae_warmup,
        restart_every=a.restart_every,
        restart_by_error=a.restart_by_error,
        report_samples=a.report_samples,
        locality_weight=a.locality_weight,
    )
    report = train(get_preset(a.preset), args, a.out, resume=a.resume)
    print(json.dumps({k: v for k, v in report.items() if k not in ("train", "vq_config")}, indent=2))


if __name__ == "__main__":
    main()
