"""Write every family's held-out ("eval" split) benchmark in its release format under --out.

    python -m lavida_r1.world.make_benchmarks --out DIR --seed S [--size N]

Layout under DIR: MathVista/data/…parquet, ChartQA/ChartQA Dataset/test/…, MMMU_Pro/<config>/…parquet,
lisa_grounding/…, ImgEdit/Benchmark/singleturn/… and ImgEdit/world_targets/ (oracle judge targets).
The same seed and size give byte-identical files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .bench import chartqa, imgedit, lisa, mathvista, mmmu_pro
from .config import WorldConfig

WRITERS = {
    "mathvista": mathvista.write,
    "chartqa": chartqa.write,
    "mmmu_pro": mmmu_pro.write,
    "lisa": lisa.write,
    "imgedit": imgedit.write,
}


def make_benchmarks(
    out: Path, seed: int = 0, size: int = 300, config: WorldConfig | None = None, only: list[str] | None = None
) -> list[Path]:
    config = config or WorldConfig()
    written: list[Path] = []
    for name in only or list(WRITERS):
        written += WRITERS[name](out, size, seed, config)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0, help="base seed of the eval split")
    parser.add_argument("--size", type=int, default=300, help="items per benchmark")
    parser.add_argument("--only", nargs="+", choices=list(WRITERS), help="write only these benchmarks")
    args = parser.parse_args(argv)
    for path in make_benchmarks(args.out, args.seed, args.size, only=args.only):
        print(path)


if __name__ == "__main__":
    main()
