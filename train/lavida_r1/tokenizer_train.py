"""python -m lavida_r1.tokenizer_train --out FILE [--samples-per-family N]

Trains lavida-r1-tiny's byte-level BPE tokenizer (`tokenizer.build_tiny_tokenizer`) on the world's text
(`world.corpus`) and writes its tokenizer.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .model.presets import get_preset
from .tokenizer import build_tiny_tokenizer
from .world.corpus import world_corpus


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train lavida-r1-tiny's BPE tokenizer on the world's text.")
    parser.add_argument("--out", required=True, type=Path, help="tokenizer.json to write")
    parser.add_argument("--samples-per-family", type=int, default=400)
    args = parser.parse_args(argv)
    tokenizer = build_tiny_tokenizer(get_preset("tiny"), world_corpus(args.samples_per_family))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tokenizer.save(str(tmp))
    tmp.replace(args.out)
    print(f"wrote {args.out} ({tokenizer.get_vocab_size()} ids)")


if __name__ == "__main__":
    main()
