"""The world oracle judge's edit score against the classifier-free guidance scales, through a package's ONNX
graphs (the server's decoding: greedy, the package's image steps), on held-out world edits.

    python -m lavida_r1.export.guidance_sweep --package ../models/lavida-r1-tiny --n 32 \\
        --out ../docs/edit-guidance/scores.csv

Runs the unguided edit (0, 0) and every pair of --text x --image scales on each edit (its plan decoded once: the
plan does not depend on guidance). Writes one row per (edit, guidance_scale, image_guidance_scale) with the
judge's score (mean of its three 1-5 labels), and prints per scale pair the mean ± standard error and the paired difference to the unguided edit
(0, 0) ± its standard error, as a markdown table.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from ..evaluation import eval_samples
from ..scoring import edit_score
from . import ort_pipeline as op
from .runtime import OrtPackage

FIELDS = ("item", "guidance_scale", "image_guidance_scale", "score")


def floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v]


def sweep(pipe: op.OrtPipeline, n: int, seed: int, pairs: list[tuple[float, float]]) -> list[dict]:
    rows = []
    for sample in eval_samples("edit", n, seed):
        began = time.monotonic()
        planned = op.plan_edit(pipe, sample.prompt, sample.image)  # the plan is the same at every scale
        for s, s_img in pairs:
            guided = replace(pipe, image=replace(pipe.image, guidance_scale=s, image_guidance_scale=s_img))
            edited = op.finish_edit(guided, planned).image
            rows.append(dict(zip(FIELDS, (sample.id, s, s_img, edit_score(sample, edited)))))
        print(f"[guidance] {sample.id} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    return rows


def mean_se(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def summary(rows: list[dict]) -> str:
    """Markdown: per scale pair, n, mean ± SE, and the paired difference to (0, 0) ± SE where it was run."""
    by_pair: dict[tuple[float, float], dict[str, float]] = {}
    for r in rows:
        by_pair.setdefault((r["guidance_scale"], r["image_guidance_scale"]), {})[r["item"]] = r["score"]
    base = by_pair.get((0.0, 0.0))
    lines = [
        "| guidance_scale | image_guidance_scale | n | oracle score (mean ± SE) | vs unguided (paired, ± SE) |",
        "|---|---|---|---|---|",
    ]
    for (s, s_img), scores in sorted(by_pair.items()):
        mean, se = mean_se(list(scores.values()))
        delta = "—"
        if base is not None and (s, s_img) != (0.0, 0.0):
            d_mean, d_se = mean_se([scores[i] - base[i] for i in scores])
            delta = f"{d_mean:+.3f} ± {d_se:.3f}"
        lines.append(f"| {s:g} | {s_img:g} | {len(scores)} | {mean:.3f} ± {se:.3f} | {delta} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, required=True)
    parser.add_argument("--n", type=int, default=32, help="held-out world edits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--text", type=floats, default=[1.0, 2.0, 4.0], help="guidance_scale values")
    parser.add_argument("--image", type=floats, default=[1.0, 1.5], help="image_guidance_scale values")
    parser.add_argument("--out", type=Path, required=True, help="CSV of the per-edit scores")
    args = parser.parse_args(argv)
    package = OrtPackage(args.package)
    pipe = op.OrtPipeline(package, system_prompt=package.manifest["layout"]["system_prompt"] is not None)
    pairs = [(0.0, 0.0), *((s, s_img) for s, s_img in itertools.product(args.text, args.image) if s or s_img)]
    rows = sweep(pipe, args.n, args.seed, pairs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(summary(rows))


if __name__ == "__main__":
    main()
