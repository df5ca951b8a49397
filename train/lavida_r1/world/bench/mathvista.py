"""MathVista testmini: data/testmini-00000-of-00001-725687bf7a18d64b.parquet with the HF schema."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ..config import WorldConfig
from ..generate import generate
from .io import IMAGE_TYPE, Progress, image_cell, write_parquet

FILE = "MathVista/data/testmini-00000-of-00001-725687bf7a18d64b.parquet"

METADATA_TYPE = pa.struct(
    [
        ("category", pa.string()),
        ("context", pa.string()),
        ("grade", pa.string()),
        ("img_height", pa.int64()),
        ("img_width", pa.int64()),
        ("language", pa.string()),
        ("skills", pa.list_(pa.string())),
        ("source", pa.string()),
        ("split", pa.string()),
        ("task", pa.string()),
    ]
)
SCHEMA = pa.schema(
    [
        ("pid", pa.string()),
        ("question", pa.string()),
        ("image", pa.string()),
        ("decoded_image", IMAGE_TYPE),
        ("choices", pa.list_(pa.string())),
        ("unit", pa.string()),
        ("precision", pa.float64()),
        ("answer", pa.string()),
        ("question_type", pa.string()),
        ("answer_type", pa.string()),
        ("metadata", METADATA_TYPE),
        ("query", pa.string()),
    ]
)


def write(out: Path, size: int, seed: int, config: WorldConfig) -> list[Path]:
    rows, progress = [], Progress("MathVista testmini", size)
    for i in range(size):
        s = generate("math", "eval", i, seed, config)
        m = s.meta
        pid = str(i + 1)
        rows.append(
            {
                "pid": pid,
                "question": s.question,
                "image": f"images/{pid}.png",
                "decoded_image": image_cell(s.image),
                "choices": m["choices"],
                "unit": m["unit"],
                "precision": m["precision"],
                "answer": s.answer,
                "question_type": m["question_type"],
                "answer_type": m["answer_type"],
                "metadata": {
                    "category": m["category"],
                    "context": m["context"],
                    "grade": m["grade"],
                    "img_height": s.image.height,
                    "img_width": s.image.width,
                    "language": "english",
                    "skills": m["skills"],
                    "source": "lavida-world",
                    "split": "testmini",
                    "task": m["task"],
                },
                "query": m["query"],
            }
        )
        progress.step()
    path = out / FILE
    write_parquet(path, rows, SCHEMA)
    return [path]
