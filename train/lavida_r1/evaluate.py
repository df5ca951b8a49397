"""Held-out accuracy of a checkpoint on the world's eval split, per task family (`lavida_r1.evaluation`).

Each VQA family is decoded over the canvas the checkpoint was trained at (its canvases.json; `--text` changes
apply over it, a `gen_length` among them replaces it).

    python -m lavida_r1.evaluate --checkpoint DIR [--tokenizer FILE] [--n 50] [--families math,chart,...]
        [--text '{"threshold": 0.9, "dual_cache": true}']   (text sampler changes, e.g. a faster decoding)

`--families` also takes `family:kind` for one kind of a family (`math:digit_list`, `mcq:colour_of`; the kinds are
`lavida_r1.world.generate.kinds(family)`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from .config_files import field_changes
from .evaluation import evaluate
from .model import LavidaForMaskedDiffusion, get_preset, load_checkpoint
from .model.canvases import UNIFORM, read_canvases
from .sampling.text import TextSamplerConfig
from .sft.init import initialize
from .tokenizer import TOKENIZER_HELP, tokenizer_for
from .world import FAMILIES
from .world.generate import kinds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="model folder (config.json + model.safetensors)")
    parser.add_argument("--untrained", action="store_true", help="score a freshly initialised tiny model instead")
    parser.add_argument("--tokenizer", type=Path, help=TOKENIZER_HELP)
    parser.add_argument("--n", type=int, default=50, help="held-out samples per family")
    parser.add_argument("--families", default=",".join(FAMILIES), help="families, or family:kind for one kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--text",
        type=json.loads,
        default={},
        help='text sampler changes, e.g. \'{"threshold": 0.9, "dual_cache": true}\'',
    )
    args = parser.parse_args(argv)
    try:
        text = field_changes(TextSamplerConfig, args.text, "--text")
    except ValueError as e:
        sys.exit(f"evaluate: {e}")
    torch.set_num_threads(args.threads)
    canvases = UNIFORM
    if args.untrained:
        torch.manual_seed(args.seed)
        model = LavidaForMaskedDiffusion(get_preset("tiny"))
        initialize(model, 0.02)
    elif args.checkpoint:
        model = load_checkpoint(args.checkpoint)
        try:
            canvases = read_canvases(args.checkpoint)
        except ValueError as e:
            sys.exit(f"evaluate: {e}")
    else:
        sys.exit("evaluate: give --checkpoint DIR or --untrained")
    families = [f for f in args.families.split(",") if f]
    unknown = sorted({f.partition(":")[0] for f in families} - set(FAMILIES))
    if unknown:
        sys.exit(f"evaluate: unknown families {unknown}; choose from {list(FAMILIES)}")
    for family, _, kind in (f.partition(":") for f in families):
        if kind and kind not in kinds(family):
            sys.exit(f"evaluate: {family} has no kind {kind!r}; its kinds: {list(kinds(family))}")
    try:
        tokenizer = tokenizer_for(args.checkpoint, args.tokenizer)
        results = evaluate(model, tokenizer, families, args.n, args.seed, text, canvases)
    except ValueError as e:  # e.g. a threshold outside (0, 1]
        sys.exit(f"evaluate: {e}")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
