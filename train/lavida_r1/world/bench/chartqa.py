"""ChartQA test: `ChartQA Dataset/test/test_human.json`, `test_augmented.json` ({imgname, query, label})
and the charts in `ChartQA Dataset/test/png/`. Even indices ask human-style (reasoning) questions, odd
indices augmented-style (look-up) questions."""

from __future__ import annotations

from pathlib import Path

from ..config import WorldConfig
from ..generate import generate
from .io import Progress, write_json, write_png

ROOT = "ChartQA/ChartQA Dataset/test"


def write(out: Path, size: int, seed: int, config: WorldConfig) -> list[Path]:
    root = out / ROOT
    split: dict[str, list[dict[str, str]]] = {"human_test": [], "augmented_test": []}
    progress = Progress("ChartQA test", size)
    for i in range(size):
        s = generate("chart", "eval", i, seed, config, split_type="human_test" if i % 2 == 0 else "augmented_test")
        imgname = f"world_{i:05d}.png"
        write_png(root / "png" / imgname, s.image)
        split[s.meta["type"]].append({"imgname": imgname, "query": s.question, "label": s.answer})
        progress.step()
    paths = [root / "test_human.json", root / "test_augmented.json"]
    write_json(paths[0], split["human_test"])
    write_json(paths[1], split["augmented_test"])
    return paths
