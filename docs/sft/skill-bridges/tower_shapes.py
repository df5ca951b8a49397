"""Can the tiny image pathway put an object's shape into the tokens that show it? The pathway trained alone.

The vision tower, pool and projector of a fresh tiny model (seed 0), with the SFT object readout
(`lavida_r1/sft/object_readout.py`: each token that shows an object classifies its colour and its shape), trained
on `name` images (the 2-5-object scenes of `shape_of`, the 1-2-object ones of `shape_of_few` and lone objects of
10-60 px, in turn) without the language model, which makes a step about 20x cheaper than an SFT step: the data
and the measure of `python -m lavida_r1.sft.pathway`, which saves its run; this probe compares patch sizes. Every
`--eval-every` steps: the readout's accuracy over the object tokens of 64 held-out 2-5-object scenes (the world's
eval split). `--patch` varies the patch size (the pool stays 2x2, so a token covers twice the patch side):
issue 13's resolution lever.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/tower_shapes.py --patch 8 4 --steps 600
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.sft.init import initialize
from lavida_r1.sft.object_readout import ObjectReadout
from lavida_r1.sft.optimizer import VISION
from lavida_r1.sft.pathway import EVAL_KIND, readout_accuracy, scene_images
from lavida_r1.sft.pathway_config import DEFAULT_KINDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patch", type=int, nargs="+", default=[8, 4])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch", type=int, default=16, help="images per step")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("| patch px | tokens per view | step | colour right | shape right (chance 0.17) | seconds |")
    print("|---:|---:|---:|---:|---:|---:|")
    for patch in args.patch:
        base = get_preset("tiny")
        config = dataclasses.replace(base, vision=dataclasses.replace(base.vision, patch_size=patch))
        torch.manual_seed(0)
        model = LavidaForMaskedDiffusion(config)
        initialize(model, 0.02)
        readout = ObjectReadout(config)
        params = [p for n, p in model.named_parameters() if n.startswith(VISION)] + list(readout.parameters())
        optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.1)
        held_out = scene_images(config, "eval", [EVAL_KIND], 0, 64)
        began = time.monotonic()
        for step in range(1, args.steps + 1):
            views, labels = scene_images(config, "train", DEFAULT_KINDS, step * args.batch, args.batch)
            loss = readout.loss(model.encode_views(views), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % args.eval_every == 0:
                colour, shape, *_ = readout_accuracy(model, readout, *held_out)
                tokens = held_out[1].shape[1]
                print(
                    f"| {patch} | {tokens} | {step} | {colour:.2f} | {shape:.2f} | {time.monotonic() - began:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
