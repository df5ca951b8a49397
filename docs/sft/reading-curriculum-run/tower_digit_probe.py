"""Linear probe (an experiment of docs/sft/reading-curriculum-run.md, not part of the package): does a checkpoint's
vision pathway carry the identity of one digit drawn at SCALE x the world font on a blank 128 px image?

    cd train && .venv/bin/python ../docs/sft/reading-curriculum-run/tower_digit_probe.py CHECKPOINT SCALE

Features: the mean and the max over every projected token of every anyres view; 1,000 training images, 200
held out (one seeded stream); a multinomial logistic regression (Adam, 500 steps, L2 1e-3) on standardised features.
"""
import random
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from lavida_r1.model import load_checkpoint
from lavida_r1.model.image_processing import process_anyres
from lavida_r1.world.font import GLYPH_H, draw_text, text_width
from lavida_r1.world.palette import INK, WHITE
from lavida_r1.world.raster import new_canvas, to_image

SIZE, TRAIN, HELD_OUT = 128, 1000, 200


def digit_image(rng: random.Random, scale: int):
    digit = rng.randint(0, 9)
    canvas = new_canvas(SIZE, SIZE, WHITE)
    x = rng.randint(2, SIZE - text_width(str(digit), scale) - 2)
    y = rng.randint(2, SIZE - GLYPH_H * scale - 2)
    draw_text(canvas, x, y, str(digit), INK, scale)
    return digit, to_image(canvas)


@torch.no_grad()
def features(model, image) -> torch.Tensor:
    views = model.encode_views(process_anyres(image, model.config).pixel_values)  # [V, T, d]
    return torch.cat([views.mean(dim=(0, 1)), views.amax(dim=(0, 1))])


def main() -> None:
    torch.set_num_threads(1)
    checkpoint, scale = Path(sys.argv[1]), int(sys.argv[2])
    model = load_checkpoint(checkpoint).eval()
    rng = random.Random(0)
    digits, rows = zip(*((d, features(model, im)) for d, im in (digit_image(rng, scale) for _ in range(TRAIN + HELD_OUT))))
    x, y = torch.stack(rows), torch.tensor(digits)
    x = (x - x.mean(0)) / (x.std(0) + 1e-6)
    weight = torch.zeros(x.shape[1], 10, requires_grad=True)
    bias = torch.zeros(10, requires_grad=True)
    optimizer = torch.optim.Adam([weight, bias], lr=0.01)
    for _ in range(500):
        optimizer.zero_grad()
        loss = F.cross_entropy(x[:TRAIN] @ weight + bias, y[:TRAIN]) + 1e-3 * weight.pow(2).sum()
        loss.backward()
        optimizer.step()
    accuracy = ((x[TRAIN:] @ weight + bias).argmax(1) == y[TRAIN:]).float().mean().item()
    print(f"{checkpoint} scale {scale}: held-out digit accuracy {accuracy:.3f} (n = {HELD_OUT}, chance 0.1)")


if __name__ == "__main__":
    main()
