"""Does an image token know where it is? A linear probe of each view token's place, per checkpoint.

Scenes of 0-4 objects (the world's shapes and colours, 13-30 px) on the blank 128x128 understanding image go
through the image pathway (vision tower, pool, projector); every token of every anyres view is a sample. A softmax
regression (`colour_probe.probe_accuracy`) reads from a token which of its view's slots it sits in (chance 1/16 in
the tiny preset) and which view it belongs to (base or one of the crops), trained on the first half of the tokens
and scored on the second. The LM's attention returns value vectors, not positions: a box can be read from the
image only if the tokens carry where they are.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/token_places.py untrained runs/pathway-tiny/latest/model
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


@torch.no_grad()
def place_accuracy(model, images: int, seed: int) -> tuple[float, float, int, int]:
    """(slot accuracy, view accuracy, views, tokens per view) of the probes on `images` scenes."""
    rng = random.Random(seed)
    features, slots, views = [], [], []
    for _ in range(images):
        specs = [
            (rng.choice(SHAPES), rng.choice(list(OBJECT_COLOURS)), rng.randint(13, 30))
            for _ in range(rng.randint(0, 4))
        ]
        encoded = model.encode_views(
            process_anyres(to_image(render(place(rng, specs, SIZE, SIZE), SIZE, SIZE)), model.config).pixel_values
        )
        count, tokens, width = encoded.shape
        features.append(encoded.reshape(-1, width))
        slots += [str(t) for _ in range(count) for t in range(tokens)]
        views += [str(v) for v in range(count) for _ in range(tokens)]
    x = torch.cat(features)
    half = len(x) // 2
    return probe_accuracy(x, slots, half), probe_accuracy(x, views, half), count, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", help="model folders, or `untrained`")
    parser.add_argument("--images", type=int, default=120)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("| checkpoint | slot in its view right | view right |\n|---|---:|---:|")
    for name in args.checkpoints:
        model = load(name)
        model.eval()
        slot, view, count, tokens = place_accuracy(model, args.images, seed=1)
        print(f"| {name} | {slot:.2f} (chance {1 / tokens:.2f}) | {view:.2f} (chance {1 / count:.2f}) |", flush=True)


if __name__ == "__main__":
    main()
