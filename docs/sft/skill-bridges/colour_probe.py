"""Is an object's colour and shape in the image embeddings the backbone receives? A linear probe per checkpoint.

One object (the QA scenes' shapes, colours and sizes, 13-22 px) alone on a white 128x128 image, at a random place.
Its embeddings are those `<image>` slots of the model's image pathway (vision tower, pool, projector, rescale)
that differ most from a blank image's at the same slot; the probe is a softmax regression on the most different
one, trained on `--train` images and scored on `--test` others (chance: 1/11 colours, 1/6 shapes). High accuracy
means the pathway hands the backbone the object's colour (or shape) in a linearly readable form.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/colour_probe.py untrained checkpoints/reading-stage ...

`untrained` stands for a freshly initialised tiny model (the SFT initialisation, seed 0): what a random pathway keeps.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset, load_checkpoint
from lavida_r1.model.image_processing import process_anyres
from lavida_r1.sft.init import initialize
from lavida_r1.world.palette import OBJECT_COLOURS
from lavida_r1.world.raster import SHAPES, to_image
from lavida_r1.world.scenes import place, render

SIZE = 128


def objects(n: int, seed: int) -> list[tuple[object, str, str]]:
    """(image, colour, shape) of n one-object images."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        shape, colour = rng.choice(SHAPES), rng.choice(list(OBJECT_COLOURS))
        canvas = render(place(rng, [(shape, colour, rng.randint(13, 22))], SIZE, SIZE), SIZE, SIZE)
        out.append((to_image(canvas), colour, shape))
    return out


@torch.no_grad()
def object_embeddings(model, images: list) -> torch.Tensor:
    """[N, d_model]: per image, the embedding slot farthest from the blank image's same slot."""
    blank = model.encode_image(process_anyres(to_image(render([], SIZE, SIZE)), model.config))
    rows = []
    for image in images:
        embedded = model.encode_image(process_anyres(image, model.config))
        rows.append(embedded[(embedded - blank).norm(dim=-1).argmax()])
    return torch.stack(rows)


def load(name: str) -> LavidaForMaskedDiffusion:
    if name != "untrained":
        return load_checkpoint(Path(name))
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    initialize(model, 0.02)
    return model


def probe_accuracy(x: torch.Tensor, labels: list[str], n_train: int) -> float:
    classes = sorted(set(labels))
    y = torch.tensor([classes.index(v) for v in labels])
    x = (x - x[:n_train].mean(0)) / (x[:n_train].std(0) + 1e-6)
    head = torch.nn.Linear(x.shape[1], len(classes))
    optimizer = torch.optim.LBFGS(head.parameters(), max_iter=200)

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(x[:n_train]), y[:n_train]) + 1e-3 * head.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return float((head(x[n_train:]).argmax(-1) == y[n_train:]).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", help="model folders, or `untrained`")
    parser.add_argument("--train", type=int, default=600)
    parser.add_argument("--test", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = objects(args.train + args.test, seed=0)
    images, colours, shapes = zip(*data)
    print(
        f"| checkpoint | colour accuracy (chance {1 / len(OBJECT_COLOURS):.2f}) | shape accuracy (chance {1 / len(SHAPES):.2f}) |"
    )
    print("|---|---:|---:|")
    for checkpoint in args.checkpoints:
        x = object_embeddings(load(checkpoint).eval(), list(images))
        colour = probe_accuracy(x, list(colours), args.train)
        shape = probe_accuracy(x, list(shapes), args.train)
        print(f"| {checkpoint} | {colour:.3f} | {shape:.3f} |", flush=True)


if __name__ == "__main__":
    main()
