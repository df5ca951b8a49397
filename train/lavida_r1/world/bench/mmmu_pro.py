"""MMMU-Pro: `standard (10 options)/test-00000-of-00001.parquet` and `vision/test-00000-of-00001.parquet`,
the same rows in both (options as a Python list literal string)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ..config import WorldConfig
from ..generate import generate
from .io import IMAGE_TYPE, Progress, image_cell, write_parquet

STANDARD = "MMMU_Pro/standard (10 options)/test-00000-of-00001.parquet"
VISION = "MMMU_Pro/vision/test-00000-of-00001.parquet"
MAX_IMAGES = 7

STANDARD_SCHEMA = pa.schema(
    [("id", pa.string()), ("question", pa.string()), ("options", pa.string()), ("explanation", pa.string())]
    + [(f"image_{k}", IMAGE_TYPE) for k in range(1, MAX_IMAGES + 1)]
    + [("img_type", pa.string()), ("answer", pa.string()), ("topic_difficulty", pa.string()), ("subject", pa.string())]
)
VISION_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("image", IMAGE_TYPE),
        ("options", pa.string()),
        ("answer", pa.string()),
        ("subject", pa.string()),
    ]
)


def write(out: Path, size: int, seed: int, config: WorldConfig) -> list[Path]:
    standard, vision = [], []
    progress = Progress("MMMU-Pro standard + vision", size)
    for i in range(size):
        s = generate("mcq", "eval", i, seed, config, setting="standard")
        v = generate("mcq", "eval", i, seed, config, setting="vision")
        row_id = f"test_{s.meta['subject']}_{i + 1}"
        options = repr(list(s.options or []))  # the Python literal text upstream stores
        standard.append(
            {
                "id": row_id,
                "question": s.question,
                "options": options,
                "explanation": s.reasoning,
                "image_1": image_cell(s.image),
                **{f"image_{k}": None for k in range(2, MAX_IMAGES + 1)},
                "img_type": repr(s.meta["img_type"]),
                "answer": s.answer,
                "topic_difficulty": s.meta["topic_difficulty"],
                "subject": s.meta["subject"],
            }
        )
        vision.append(
            {
                "id": row_id,
                "image": image_cell(v.image),
                "options": options,
                "answer": v.answer,
                "subject": v.meta["subject"],
            }
        )
        progress.step()
    paths = [out / STANDARD, out / VISION]
    write_parquet(paths[0], standard, STANDARD_SCHEMA)
    write_parquet(paths[1], vision, VISION_SCHEMA)
    return paths
