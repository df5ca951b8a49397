"""Convert an upstream LaViDa-O checkpoint folder into our checkpoint format.

    python -m lavida_r1.model.convert --upstream DIR --out DIR [--dtype float32|bfloat16|float16]

Without --dtype every tensor keeps the dtype it is stored in. Nothing is downloaded: DIR is a local folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from .checkpoint import CheckpointMismatchError, save_checkpoint
from .upstream import load_upstream

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def convert(upstream: str | Path, out: str | Path, dtype: torch.dtype | None = None) -> None:
    save_checkpoint(load_upstream(upstream, dtype), out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, type=Path, help="upstream LaViDa-O checkpoint folder")
    parser.add_argument("--out", required=True, type=Path, help="output folder (replaced atomically)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), help="cast floating tensors (default: keep)")
    args = parser.parse_args(argv)
    try:
        convert(args.upstream, args.out, DTYPES[args.dtype] if args.dtype else None)
    except (CheckpointMismatchError, FileNotFoundError, ValueError) as error:
        sys.exit(f"convert: {error}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
