"""Ablations (a)-(c): short RL runs that differ in one config field, against the starting checkpoint.

Each value gets its own run folder (re-running resumes it), then the held-out world score of its final
weights with the reference greedy pipelines. The report gives, per value: online reward over the first and
last quarter of the run, the loss spread and the largest gradient norm (stability), and held-out scores; the
first row is the starting checkpoint (SFT only).

    python -m lavida_r1.rl.ablations.sweep --base configs/rl-tiny.json --vary answer_forcing=0,0.1,0.5,1 \
        --steps 40 --eval-n 30 --out ../docs/rl
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import statistics
from pathlib import Path

from ...config_files import portable
from ...evaluation import evaluate
from ...model import load_checkpoint
from ..config import RLConfig
from ..loop import run
from .report import markdown_table, write_report


def curve_summary(log: Path) -> dict[str, float]:
    with log.open() as f:
        rows = list(csv.DictReader(f))
    quarter = max(len(rows) // 4, 1)
    rewards = [float(r["reward"]) for r in rows]
    losses = [float(r["loss"]) for r in rows]
    return {
        "reward_first_quarter": statistics.fmean(rewards[:quarter]),
        "reward_last_quarter": statistics.fmean(rewards[-quarter:]),
        "loss_std": statistics.pstdev(losses),
        "max_grad_norm": max(float(r["grad_norm"]) for r in rows),
    }


def headline(scores: dict[str, dict[str, float]]) -> dict[str, float]:
    """One number per family: accuracy, mIoU or the oracle edit score."""
    pick = {"accuracy", "mIoU", "oracle_score"}
    return {family: next(v for k, v in metrics.items() if k in pick) for family, metrics in scores.items()}


def parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="RL ablation: runs differing in one config field.")
    parser.add_argument("--base", type=Path, required=True, help="RL config JSON the runs start from")
    parser.add_argument("--vary", required=True, help="FIELD=V1,V2,... (values parsed as JSON where possible)")
    parser.add_argument("--steps", type=int, help="override the base config's steps")
    parser.add_argument("--eval-n", type=int, default=30, help="held-out samples per family")
    parser.add_argument("--name", help="report name (default: the field)")
    parser.add_argument("--runs", type=Path, default=Path("runs/ablations"))
    parser.add_argument("--out", type=Path, default=Path("../docs/rl"))
    args = parser.parse_args(argv)
    field, _, values = args.vary.partition("=")
    base = RLConfig.from_file(args.base)
    if field not in {f.name for f in dataclasses.fields(RLConfig)}:
        parser.error(f"unknown RL config field {field!r}")
    name = args.name or field.replace("_", "-")
    families = [f for f, w in base.mixture.items() if w > 0]
    tokenizer = Path(base.tokenizer)
    results = {
        "start": {
            "held_out": headline(evaluate(load_checkpoint(base.init_checkpoint), tokenizer, families, args.eval_n))
        }
    }
    for value in [parse_value(v) for v in values.split(",")]:
        config = dataclasses.replace(
            base, **{field: value}, steps=args.steps or base.steps, out=str(args.runs / name / f"{field}={value}")
        )
        config.validate()
        model = run(config, resume=True)
        results[f"{field}={value}"] = {
            **curve_summary(Path(config.out) / "log.csv"),
            "held_out": headline(evaluate(model, tokenizer, families, args.eval_n)),
        }
    columns = ["reward_first_quarter", "reward_last_quarter", "loss_std", "max_grad_norm"]
    rows = [
        [label, *(r.get(c, "") for c in columns), *(r["held_out"][f] for f in families)] for label, r in results.items()
    ]
    markdown = (
        f"# RL ablation: {field}\n\nBase config `{args.base}`, {args.steps or base.steps} steps per run, "
        f"held-out n = {args.eval_n} per family (greedy reference pipelines).\n\n"
        + markdown_table(["run", "reward (first ¼)", "reward (last ¼)", "loss std", "max grad norm", *families], rows)
        + f"\nCommand: `python -m lavida_r1.rl.ablations.sweep --base {args.base} --vary {args.vary}"
        f"{f' --steps {args.steps}' if args.steps else ''} --eval-n {args.eval_n}`\n"
    )
    write_report(args.out, name, {"base": portable(base, args.out), "results": results}, markdown)
    print(markdown)


if __name__ == "__main__":
    main()
