"""Does a box request find the object it names? `locate` answered by selection alone.

For each held-out `locate` request (the world's eval split, seed 0: "the red circle" among 1-6 objects, the name
unique in its scene), the greedy box (`inference.ground`) is right (IoU >= 0.5 with the named object's box), on
another object of the scene (IoU >= 0.5 with one of theirs), or on neither; by object count. A model that finds
objects but not the one named boxes another object; picking an object at random is right 1 time in the count.
`--family spot --kind large|medium|small` asks instead for the only object of the image (nothing to select, only
its place to fetch). Requests are the whole grounding instruction, as trained (`sample.prompt`). Below the table:
the mean IoU with the named object and how far the box's centre lies from the named object's, in pixels, beside
the distance of the image's centre (what a model that boxes the middle of every image would give).

    cd train && .venv/bin/python ../docs/sft/skill-bridges/locate_hits.py --checkpoint DIR --n 200
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

import torch
from greedy import name_pipeline
from outcome_table import print_outcomes

from lavida_r1.inference import ground
from lavida_r1.scoring import box_iou
from lavida_r1.world import generate

OUTCOMES = ("right", "another object's", "neither")
HIT = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--family", choices=("locate", "spot"), default="locate")
    parser.add_argument("--kind", default=None, help="spot's size band (large, medium, small)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pipe = name_pipeline(args.checkpoint)  # the canvas is unused: a box is its four LOC slots
    tally: Counter[tuple[int, str]] = Counter()
    ious, misses, middles = [], [], []
    for i in range(args.n):
        sample = generate(args.family, "eval", i, 0, kind=args.kind)
        objs = sample.meta["drawn_objects"]
        box = ground(pipe, sample.prompt, sample.image)
        others = [box_iou(box, list(o.box)) for o in objs if tuple(o.box) != tuple(sample.box)]
        outcome = (
            OUTCOMES[0]
            if box_iou(box, list(sample.box)) >= HIT
            else OUTCOMES[1 if max(others, default=0) >= HIT else 2]
        )
        tally[len(objs), outcome] += 1
        ious.append(box_iou(box, list(sample.box)))
        misses.append(centre_distance(box, sample.box))
        width, height = sample.image.size
        middles.append(centre_distance((0, 0, width, height), sample.box))
    request = f"{args.family} {args.kind}" if args.kind else args.family
    print_outcomes(f"{args.checkpoint}: {request}, n = {args.n}, a hit is IoU >= {HIT}", OUTCOMES, tally)
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    print(
        f"\nmean IoU with the named object {mean(ious):.3f}; its centre missed by {mean(misses):.1f} px "
        f"(the image's centre: {mean(middles):.1f} px)"
    )


def centre_distance(a, b) -> float:
    """Distance in pixels between the centres of boxes (x1, y1, x2, y2)."""
    return math.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2)


if __name__ == "__main__":
    main()
