"""Grounding rollouts at several box temperatures: how good and how spread out a group's boxes are.

For held-out grounding prompts, a group of `--group-size` boxes is drawn at each temperature (one pass over
the four LOC slots, as the RL rollouts do) and scored by IoU. Reported per checkpoint and temperature: the mean
IoU and the mean best IoU of a group (± one standard error over prompts), the mean within-group standard
deviation, and the share of groups whose spread reaches the reward noise floor (their GRPO advantages keep
unit spread) and whose best box reaches it (it is distilled).

    python -m lavida_r1.rl.ablations.box_temperature --checkpoints checkpoints/lavida-r1-tiny --out ../docs/rl
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from ...world import generate
from ..rewards import grounding_reward
from ..rollouts import grounding_rollouts
from .report import markdown_table, write_report
from .setup import load_for_ablation


def mean_se(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) / len(values) ** 0.5


def measure(model, builder, temperature: float, prompts: int, group_size: int, floor: float) -> dict[str, float]:
    groups = []
    for index in range(prompts):
        sample = generate("grounding", "eval", index)
        rollouts = grounding_rollouts(model, builder.build(sample), sample.image.size, group_size, temperature, index)
        groups.append([grounding_reward(sample, r.box) for r in rollouts])
    iou, iou_se = mean_se([statistics.fmean(g) for g in groups])
    best, best_se = mean_se([max(g) for g in groups])
    spreads = [statistics.pstdev(g) for g in groups]
    return {
        "mean_iou": iou,
        "mean_iou_se": iou_se,
        "best_iou": best,
        "best_iou_se": best_se,
        "group_std": statistics.fmean(spreads),
        "share_spread_at_floor": sum(s >= floor for s in spreads) / prompts,
        "share_best_at_floor": sum(max(g) >= floor for g in groups) / prompts,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Grounding rollouts at several box temperatures.")
    parser.add_argument("--checkpoints", default="checkpoints/lavida-r1-tiny")
    parser.add_argument("--temperatures", default="1,0.7,0.5,0.3,0")
    parser.add_argument("--prompts", type=int, default=200, help="held-out grounding prompts, one group each")
    parser.add_argument("--group-size", type=int, default=4)
    parser.add_argument("--floor", type=float, default=0.1, help="the reward noise floor")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("../docs/rl"))
    args = parser.parse_args(argv)
    temperatures = [float(t) for t in args.temperatures.split(",")]
    results: dict[str, dict[str, dict[str, float]]] = {}
    for checkpoint in map(Path, args.checkpoints.split(",")):
        model, builder = load_for_ablation(checkpoint, args.threads)
        results[checkpoint.name] = {
            str(t): measure(model, builder, t, args.prompts, args.group_size, args.floor) for t in temperatures
        }
    rows = [
        [
            name,
            t,
            f"{r['mean_iou']:.3f} ± {r['mean_iou_se']:.3f}",
            f"{r['best_iou']:.3f} ± {r['best_iou_se']:.3f}",
            r["group_std"],
            r["share_spread_at_floor"],
            r["share_best_at_floor"],
        ]
        for name, by_temperature in results.items()
        for t, r in by_temperature.items()
    ]
    markdown = (
        "# Grounding rollouts by box temperature\n\n"
        f"n = {args.prompts} held-out grounding prompts per row, a group of {args.group_size} boxes each; "
        f"± one standard error over prompts; floor = {args.floor}.\n\n"
        + markdown_table(
            [
                "checkpoint",
                "box temperature",
                "mean IoU",
                "best IoU of group",
                "group std",
                "groups with std ≥ floor",
                "groups with best ≥ floor",
            ],
            rows,
        )
        + f"\nCommand: `python -m lavida_r1.rl.ablations.box_temperature --checkpoints {args.checkpoints} "
        f"--temperatures {args.temperatures} --prompts {args.prompts} --group-size {args.group_size}`\n"
    )
    write_report(
        args.out,
        "box-temperature",
        {"prompts": args.prompts, "group_size": args.group_size, "floor": args.floor, "results": results},
        markdown,
    )
    print(markdown)


if __name__ == "__main__":
    main()
