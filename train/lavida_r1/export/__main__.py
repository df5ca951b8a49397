"""Export a checkpoint to an ONNX model package (format: models/README.md).

python -m lavida_r1.export --checkpoint DIR --out DIR [--dtype fp32|fp16|int8] [--tokenizer FILE]
    [--eval-json FILE] [--data-seed N] [--system-prompt]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from ..model import load_checkpoint
from ..model.canvases import read_canvases
from ..model.checkpoint import CONFIG_FILE, WEIGHTS_FILE, checkpoint_refs
from ..tokenizer import TOKENIZER_HELP, tokenizer_for
from .manifest import sha256_file
from .onnx_io import DTYPES
from .package import export_package


def base_sha256(checkpoint: Path) -> dict[str, str]:
    """The weights files a checkpoint saved over a base takes its other tensors from, by path from the folder."""
    files = {ref.file for ref in checkpoint_refs(checkpoint).values()} - {(checkpoint / WEIGHTS_FILE).resolve()}
    return {os.path.relpath(file, checkpoint.resolve()): sha256_file(file) for file in sorted(files)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True, help="model folder (config.json + model.safetensors)")
    parser.add_argument("--out", type=Path, required=True, help="package folder to write (replaced atomically)")
    parser.add_argument("--dtype", choices=DTYPES, default="fp32")
    parser.add_argument("--tokenizer", type=Path, help=TOKENIZER_HELP)
    parser.add_argument("--eval-json", type=Path, help="evaluation scores to record (lavida_r1.evaluate output)")
    parser.add_argument("--data-seed", type=int, help="the world seed the checkpoint was trained with")
    parser.add_argument("--system-prompt", action="store_true", help="the model was trained with the system turn")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    began = time.monotonic()
    model = load_checkpoint(args.checkpoint)
    try:
        canvases = read_canvases(args.checkpoint)
    except ValueError as e:
        sys.exit(f"export: {e}")
    provenance = {
        "checkpoint": str(args.checkpoint),
        "checkpoint_sha256": {name: sha256_file(args.checkpoint / name) for name in (CONFIG_FILE, WEIGHTS_FILE)}
        | base_sha256(args.checkpoint),
        "data_seed": args.data_seed,
        "eval": json.loads(args.eval_json.read_text()) if args.eval_json else None,
    }
    tokenizer = tokenizer_for(args.checkpoint, args.tokenizer)
    manifest = export_package(model, args.out, tokenizer, args.dtype, provenance, canvases, args.system_prompt)
    total = sum(f["bytes"] for f in manifest["files"].values())
    print(
        f"[export] {args.out}: {len(manifest['graphs'])} graphs, {total / 1e6:.1f} MB, "
        f"{time.monotonic() - began:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
