"""How well a pathway's glyph readout names the characters of held-out images, per kind of text image: the share
of glyphs named right in their slot and of text tokens with every slot right, with the counts behind them.

    cd train && PYTHONPATH=../docs/sft/skill-bridges:. .venv/bin/python ../docs/sft/skill-bridges/glyph_probe.py \
        --state runs/pathway-glyphs/latest [--n 32] [--kinds read:small,chart,...]

`--fit-heads STEPS --checkpoint DIR` scores a model without glyph heads instead: fresh heads fitted for STEPS steps
(16 train images each, the kinds in turn) on its frozen image tokens, i.e. what its tokens already carry.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from lavida_r1.model import LavidaForMaskedDiffusion, load_checkpoint
from lavida_r1.sft.glyph_readout import GlyphReadout
from lavida_r1.sft.pathway import pathway_images
from lavida_r1.training_state import MODEL_DIR, load_glyph_readout

KINDS = "read:huge,read:large,read:medium,read:small,chart,caption:digits,mcq,math:digit_sum,math:digit_list"


def fitted_heads(model: LavidaForMaskedDiffusion, keys: list[str], steps: int) -> GlyphReadout:
    torch.manual_seed(0)
    readout = GlyphReadout(model.config)
    optimizer = torch.optim.AdamW(readout.parameters(), lr=1e-3)
    for step in range(steps):
        views, _, labels = pathway_images(model.config, "train", keys, step * 16, 16, glyphs=True)
        with torch.no_grad():
            features = model.encode_views(views)
        loss = readout.loss(features, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return readout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, help="a pathway run's latest/ (model and glyph heads)")
    parser.add_argument("--checkpoint", type=Path, help="with --fit-heads: a model folder without glyph heads")
    parser.add_argument("--fit-heads", type=int, default=0, help="fit fresh heads on the frozen tokens this long")
    parser.add_argument("--n", type=int, default=32, help="held-out images per kind")
    parser.add_argument("--kinds", default=KINDS, help="mixture keys of images with text")
    args = parser.parse_args()
    if not (args.checkpoint if args.fit_heads else args.state):
        parser.error("give --state, or --fit-heads STEPS with --checkpoint")
    torch.set_num_threads(2)
    keys = args.kinds.split(",")
    if args.fit_heads:
        model = load_checkpoint(args.checkpoint).eval()
        readout, source = (
            fitted_heads(model, keys, args.fit_heads),
            f"{args.checkpoint}, heads fitted {args.fit_heads} steps",
        )
    else:
        model = load_checkpoint(args.state / MODEL_DIR).eval()
        readout, source = GlyphReadout(model.config), str(args.state)
        load_glyph_readout(args.state, readout)
    print(f"`{source}`, held-out images 0-{args.n - 1} per kind (seed 0)\n")
    print("| images | glyphs | glyphs right | text tokens | tokens with every slot right |\n|---|---:|---:|---:|---:|")
    for key in keys:
        views, _, labels = pathway_images(model.config, "eval", [key], 0, args.n, glyphs=True)
        glyphs, tokens = int((labels > 0).sum()), int((labels[..., 0] > 0).sum())
        with torch.no_grad():
            right, whole = readout.accuracy(model.encode_views(views), labels)
        print(f"| `{key}` | {glyphs} | {right:.3f} | {tokens} | {whole:.3f} |")


if __name__ == "__main__":
    main()
