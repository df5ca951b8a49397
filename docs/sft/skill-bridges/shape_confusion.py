"""Which shapes a checkpoint tells apart: lone objects at the QA scenes' sizes, named by the model, as a confusion
table.

`--n` objects of a random shape and colour, 10–26 px (`--sizes`), each alone at a random place on a white 128x128
image. Each is asked "Name the object in the image by its colour and shape." (the `name` family's prompt; the last
word of the greedy answer is its shape) or, with `--question`, "What shape is the <colour> object?" (the scene
question of `name:shape_of` with one object). Prints, per true shape, the answers' shapes, then the share right per
3-px size bin.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/shape_confusion.py --checkpoint DIR --n 240
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

import torch
from greedy import name_pipeline

from lavida_r1.inference import answer_question
from lavida_r1.world.palette import OBJECT_COLOURS
from lavida_r1.world.perception_tasks import NAME_PROMPT
from lavida_r1.world.raster import SHAPES, to_image
from lavida_r1.world.scenes import place, render

SIZE = 128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--n", type=int, default=240)
    parser.add_argument("--sizes", type=int, nargs=2, default=(10, 26), metavar=("LOW", "HIGH"))
    parser.add_argument("--question", action="store_true", help="ask the shape by the object's colour")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    namer = name_pipeline(args.checkpoint)
    rng = random.Random(args.seed)
    answers: Counter[tuple[str, str]] = Counter()
    right: Counter[int] = Counter()
    count: Counter[int] = Counter()
    for _ in range(args.n):
        shape, colour, size = rng.choice(SHAPES), rng.choice(list(OBJECT_COLOURS)), rng.randint(*args.sizes)
        image = to_image(render(place(rng, [(shape, colour, size)], SIZE, SIZE), SIZE, SIZE))
        prompt = f"What shape is the {colour} object?" if args.question else NAME_PROMPT
        said = (answer_question(namer, prompt, image).split() or [""])[-1]
        answers[shape, said] += 1
        count[size // 3 * 3] += 1
        right[size // 3 * 3] += said == shape
    print(f"{args.checkpoint}: {'the question' if args.question else 'Name the object'}, n = {args.n}")
    print(f"| true shape | n | right | {' | '.join(SHAPES)} | other |\n|---|---:|---:|" + "---:|" * (len(SHAPES) + 1))
    for shape in SHAPES:
        row = {said: c for (true, said), c in answers.items() if true == shape}
        n = sum(row.values())
        other = n - sum(row.get(s, 0) for s in SHAPES)
        cells = " | ".join(str(row.get(s, 0)) for s in SHAPES)
        print(f"| {shape} | {n} | {row.get(shape, 0) / max(n, 1):.2f} | {cells} | {other} |")
    print("\n| size px | n | right |\n|---|---:|---:|")
    for low in sorted(count):
        print(f"| {low}–{low + 2} | {count[low]} | {right[low] / count[low]:.2f} |")


if __name__ == "__main__":
    main()
