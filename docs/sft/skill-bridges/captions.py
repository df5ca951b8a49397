"""How much of a greedy caption is right, for the caption kinds the skill bridges train (`digits`, `digit_boxes`,
`names`, `chart`).

For each held-out caption (the world's eval split, seed 0), the greedy output (a 64-token canvas, 16-token blocks)
against the target: exact; whether it lists as many items (digits, or objects) as the image holds; and the share
of items right in place, counted only where the count is right (a wrong count scores none of its items). Chance
per item is 0.1 for digits (`digit_boxes`' LOC boxes are left out of its items); for objects, one colour of 11
and one shape of 6 (1/66 both right); a chart's item is a label with its value ("MAY 55"), both right.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/captions.py --checkpoint DIR --kind digits --n 64
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch
from greedy import greedy_pipeline

from lavida_r1.inference import answer_question
from lavida_r1.world import generate

CANVAS = 64


def items(kind: str, caption: str) -> list[str]:
    """The listed items of a caption: digits, "colour shape" names, or a chart's "LABEL value" pairs."""
    if kind in ("digits", "digit_boxes"):
        return re.findall(r"\d", re.sub(r"<LOC_\w+>", "", caption))
    listed = caption.partition(": ")[2].rstrip(".")
    return [name.strip() for name in listed.split(",") if name.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--kind", choices=("digits", "digit_boxes", "names", "chart"), default="digits")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    captioner = greedy_pipeline(args.checkpoint, CANVAS, 16)
    exact = count_right = item_right = item_total = 0
    for i in range(args.n):
        sample = generate("caption", "eval", i, 0, kind=args.kind)
        output = answer_question(captioner, sample.prompt, sample.image).strip()
        truth, got = items(args.kind, sample.answer), items(args.kind, output)
        exact += output == sample.answer
        item_total += len(truth)
        if len(got) == len(truth):
            count_right += 1
            item_right += sum(a == b for a, b in zip(truth, got))
    print(
        f"{args.checkpoint}: {args.kind}, n = {args.n}: exact {exact}/{args.n}, count right {count_right}/{args.n}, "
        f"items right in place {item_right}/{item_total} = {item_right / item_total:.3f}"
    )


if __name__ == "__main__":
    main()
