"""Held-out world grounding of several checkpoints on the same items: mean IoU and P@0.5 of each, and each
checkpoint's paired difference from the first (mean over items ± one standard error of that mean).

    cd train && .venv/bin/python ../docs/rl/paired_grounding.py --checkpoints A,B,C --n 300 [--tokenizer FILE]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch

from lavida_r1.evaluation import eval_samples
from lavida_r1.inference import Pipeline, ground
from lavida_r1.model import load_checkpoint
from lavida_r1.scoring import box_iou
from lavida_r1.tokenizer import load_tokenizer, tokenizer_for


def mean_and_error(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var / len(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", required=True, help="comma-separated model folders; the first is the base")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    samples = eval_samples("grounding", args.n, args.seed)
    ious: dict[str, list[float]] = {}
    for folder in args.checkpoints.split(","):
        model = load_checkpoint(Path(folder)).eval()
        pipe = Pipeline(model, load_tokenizer(tokenizer_for(Path(folder), args.tokenizer), model.config))
        ious[folder] = [box_iou(ground(pipe, s.prompt, s.image), list(s.box)) for s in samples]
    base = next(iter(ious.values()))
    print(f"held-out world grounding, n = {args.n} items (seed {args.seed}), the same items for every checkpoint\n")
    print("| checkpoint | mIoU ± se | P@0.5 ± se | mIoU minus the first's, paired ± se |")
    print("|---|---:|---:|---:|")
    for folder, values in ious.items():
        miou, miou_se = mean_and_error(values)
        hit, hit_se = mean_and_error([float(v >= 0.5) for v in values])
        diff, diff_se = mean_and_error([a - b for a, b in zip(values, base)])
        print(f"| {folder} | {miou:.3f} ± {miou_se:.3f} | {hit:.3f} ± {hit_se:.3f} | {diff:+.3f} ± {diff_se:.3f} |")


if __name__ == "__main__":
    main()
