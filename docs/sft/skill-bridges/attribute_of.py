"""Where `name:colour_of` and `name:shape_of` go wrong: reading a scene's objects, or finding the one the question
names.

For each held-out question of the kind (the world's eval split, seed 0: "What colour is the square?" or "What
shape is the red object?" among 2-5 objects of distinct shapes and colours), the greedy answer (the `name`
family's 8-token canvas) is right, the attribute of another object of the same scene, or one the scene does not
hold; by object count. A model that reads every object but cannot tell which one the question names answers
another object's attribute; picking one of the scene's objects at random is right 1 time in the object count.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/attribute_of.py --checkpoint DIR --kind colour_of --n 200
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import torch
from greedy import name_pipeline
from outcome_table import print_outcomes

from lavida_r1.inference import answer_question
from lavida_r1.world import generate
from lavida_r1.world.config import WorldConfig
from lavida_r1.world.perception_tasks import SCENE_NAME_KINDS, attribute_scene
from lavida_r1.world.seeds import sample_rng

OUTCOMES = ("right", "another object's", "not in the scene")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--kind", choices=SCENE_NAME_KINDS, default="colour_of")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    namer = name_pipeline(args.checkpoint)
    tally: Counter[tuple[int, str]] = Counter()
    for i in range(args.n):
        sample = generate("name", "eval", i, 0, kind=args.kind)
        objs = attribute_scene(sample_rng("eval", "name", i, 0), WorldConfig(), args.kind)[0]  # generate's draws
        present = {getattr(o, SCENE_NAME_KINDS[args.kind][0]) for o in objs}
        answer = answer_question(namer, sample.prompt, sample.image).strip()
        outcome = OUTCOMES[0] if answer == sample.answer else OUTCOMES[1] if answer in present else OUTCOMES[2]
        tally[len(objs), outcome] += 1
    print_outcomes(f"{args.checkpoint}: name:{args.kind}, n = {args.n}", OUTCOMES, tally)


if __name__ == "__main__":
    main()
