"""Does an image token carry its own object, or the whole scene? Locality of the image pathway per checkpoint.

Two objects of distinct shapes and colours (the `shape_of_few` scenes' sizes, 14-22 px) on the blank 128x128
understanding image. For each object A, its slots are the `<image>` embeddings its solo drawing changes most (more
than half its largest change, as in `attention_to_objects.py`); the pairs whose two objects share a slot are left
out. With E(.) the pathway's output (vision tower, pool, projector, rescale) minus the blank image's:

- **other / own**: |E(B) at A's slots| / |E(A) at A's slots|, how much the other object, drawn alone, moves A's
  tokens against how much A itself does (0 for a pathway whose tokens see only their own patch);
- **cos(pair, own)**: cosine of E(A and B) and E(A) at A's slots (1 when adding B leaves A's tokens as they were);
- **linear probe**: a softmax regression reads an object's colour (and shape) from the mean of its slots in the
  pair image (trained on the first half of the pairs, scored on the second); the same probe's accuracy on the
  other object's colour says how much of B is read at A (a mixed token gives both about equally).

    cd train && .venv/bin/python ../docs/sft/skill-bridges/object_locality.py untrained checkpoints/reading-stage
"""

from __future__ import annotations

import argparse
import random

import torch
from colour_probe import load, probe_accuracy

from lavida_r1.model.image_processing import process_anyres
from lavida_r1.world.palette import OBJECT_COLOURS
from lavida_r1.world.raster import SHAPES, to_image
from lavida_r1.world.scenes import place, render

SIZE = 128


def pairs(n: int, seed: int) -> list[list]:
    """n two-object scenes (placed objects), distinct shapes and colours."""
    rng = random.Random(seed)
    scenes = []
    for _ in range(n):
        specs = zip(rng.sample(SHAPES, 2), rng.sample(list(OBJECT_COLOURS), 2))
        scenes.append(place(rng, [(shape, colour, rng.randint(14, 22)) for shape, colour in specs], SIZE, SIZE))
    return scenes


@torch.no_grad()
def measure(model, scenes: list[list]) -> dict[str, float]:
    encode = lambda drawn: model.encode_image(process_anyres(to_image(render(drawn, SIZE, SIZE)), model.config))  # noqa: E731
    blank = encode([])
    ratios, cosines, features, own, other = [], [], [], [], []
    for objs in scenes:
        solo = [encode([obj]) - blank for obj in objs]
        pair = encode(objs) - blank
        slots = [(change.norm(dim=-1) > change.norm(dim=-1).max() / 2).nonzero().flatten() for change in solo]
        if set(slots[0].tolist()) & set(slots[1].tolist()):
            continue
        for a in (0, 1):
            b, s = 1 - a, slots[a]
            ratios.append(float(solo[b][s].norm() / solo[a][s].norm()))
            cosines.append(float(torch.nn.functional.cosine_similarity(pair[s].flatten(), solo[a][s].flatten(), dim=0)))
            features.append(pair[s].mean(0))
            own.append(objs[a])
            other.append(objs[b])
    x = torch.stack(features)
    n_train = len(features) // 2
    own_colour = [o.colour for o in own]
    return {
        "objects": len(features),
        "ratio": sum(ratios) / len(ratios),
        "cos": sum(cosines) / len(cosines),
        "colour_own": probe_accuracy(x, own_colour, n_train),
        "colour_other": probe_accuracy(x, own_colour[:n_train] + [o.colour for o in other[n_train:]], n_train),
        "shape_own": probe_accuracy(x, [o.shape for o in own], n_train),
        "shape_other": probe_accuracy(
            x, [o.shape for o in own[:n_train]] + [o.shape for o in other[n_train:]], n_train
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", help="model folders, or `untrained`")
    parser.add_argument("--n", type=int, default=400, help="two-object scenes")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    scenes = pairs(args.n, seed=0)
    print(
        f"| checkpoint | objects | other / own | cos(pair, own) | colour: own / other's (chance {1 / len(OBJECT_COLOURS):.2f}) "
        f"| shape: own / other's (chance {1 / len(SHAPES):.2f}) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for checkpoint in args.checkpoints:
        m = measure(load(checkpoint).eval(), scenes)
        print(
            f"| {checkpoint} | {m['objects']} | {m['ratio']:.2f} | {m['cos']:.2f} | {m['colour_own']:.2f} / "
            f"{m['colour_other']:.2f} | {m['shape_own']:.2f} / {m['shape_other']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
