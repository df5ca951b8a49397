"""Judge a folder of edited images (<key>.png, as ImgEdit's harness saves them) against the world targets,
writing `{key: reply}` like ImgEdit's basic_bench.py result.json.

    python -m lavida_r1.world.run_oracle_judge --bench DIR --results EDITED_DIR --out result.json

DIR is the make_benchmarks output folder. A missing output gets `{"error": ...}`, as upstream records a
failed judge call.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from PIL import Image

from .bench.imgedit import BENCH, TARGETS
from .bench.io import write_json
from .oracle_judge import judge_edit


def judge_folder(bench_root: Path, results: Path) -> dict[str, Any]:
    bench = bench_root / BENCH
    items = json.loads((bench / "singleturn.json").read_text(encoding="utf-8"))
    replies: dict[str, Any] = {}
    for key, item in items.items():
        edited_path = results / f"{key}.png"
        if not edited_path.exists():
            replies[key] = {"error": f"missing output {edited_path.name}"}
            continue
        with (
            Image.open(edited_path) as edited,
            Image.open(bench / item["id"]) as source,
            Image.open(bench_root / TARGETS / f"{key}.png") as target,
        ):
            replies[key] = judge_edit(edited, target, source, item["edit_type"])
    return replies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, required=True, help="make_benchmarks --out folder")
    parser.add_argument("--results", type=Path, required=True, help="folder of edited <key>.png files")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_json(args.out, judge_folder(args.bench, args.results))


if __name__ == "__main__":
    main()
