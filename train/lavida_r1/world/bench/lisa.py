"""Lisa-Grounding: `lisa_grounding/lisa_test.json` (array of {image, problem, solution}) with images under
`lisa_grounding/lisa_test/`; `image` is relative to that folder, `solution` is [x1, y1, x2, y2] as float
absolute pixels of the original image (x2/y2 exclusive: the tight box of the object's pixels)."""

from __future__ import annotations

from pathlib import Path

from ..config import WorldConfig
from ..generate import generate
from .io import Progress, write_json, write_png

ROOT = "lisa_grounding"
IMAGE_DIR = "lisa_test"


def write(out: Path, size: int, seed: int, config: WorldConfig) -> list[Path]:
    root = out / ROOT
    records, progress = [], Progress("Lisa-Grounding test", size)
    for i in range(size):
        s = generate("grounding", "eval", i, seed, config)
        name = f"world_{i:05d}.png"
        write_png(root / IMAGE_DIR / name, s.image)
        assert s.box is not None
        records.append({"image": name, "problem": s.question, "solution": [float(c) for c in s.box]})
        progress.step()
    path = root / "lisa_test.json"
    write_json(path, records)
    return [path]
