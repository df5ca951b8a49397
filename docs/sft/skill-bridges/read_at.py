"""Reading by place: the greedy answer to `read:digit_at` ("Which digit is inside <box>?", a box of a 3-5-digit
row at the QA families' scale) on held-out items (the world's eval split, seed 0), against chance 0.1 and against
the rate of a reader that names a random digit of the row (it reads the row, not the place); and how often the
answer is another digit of the row.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/read_at.py --checkpoint DIR --n 200
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from greedy import name_pipeline

from lavida_r1.inference import answer_question
from lavida_r1.world import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    reader = name_pipeline(args.checkpoint)
    right = elsewhere = 0
    row_pick = 0.0  # the expected right answers of a random digit of the row
    for i in range(args.n):
        sample = generate("read", "eval", i, 0, kind="digit_at")
        got = answer_question(reader, sample.prompt, sample.image).strip()
        row = [g.char for g in sample.meta["drawn_glyphs"]]
        right += got == sample.answer
        elsewhere += got != sample.answer and got in row
        row_pick += row.count(sample.answer) / len(row)
    se = (right / args.n * (1 - right / args.n) / args.n) ** 0.5
    print(
        f"{args.checkpoint}: read:digit_at, n = {args.n}: right {right} = {right / args.n:.3f} (SE {se:.3f}; "
        f"chance 0.1; a random digit of the row {row_pick / args.n:.3f}), another digit of the row {elsewhere}"
    )


if __name__ == "__main__":
    main()
