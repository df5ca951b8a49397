"""Byte-reproducible file output: PNG, JSON, parquet (with HF `datasets` feature metadata), progress."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

IMAGE_TYPE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])  # HF `Image` feature in parquet


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6, optimize=False)  # Pillow writes no time chunk
    return buf.getvalue()


def write_png(path: Path, image: Image.Image) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(image))


def image_cell(image: Image.Image | None, path: str | None = None) -> dict[str, Any] | None:
    return None if image is None else {"bytes": png_bytes(image), "path": path}


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _hf_feature(t: pa.DataType) -> dict[str, Any]:
    if t == IMAGE_TYPE:
        return {"_type": "Image"}
    if pa.types.is_list(t):
        return {"feature": _hf_feature(t.value_type), "_type": "Sequence"}
    if pa.types.is_struct(t):
        return {t.field(i).name: _hf_feature(t.field(i).type) for i in range(t.num_fields)}
    dtype = {pa.string(): "string", pa.int64(): "int64", pa.float64(): "float64", pa.binary(): "binary"}[t]
    return {"dtype": dtype, "_type": "Value"}


def write_parquet(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    """One row group, fixed writer options and no statistics, so equal rows give equal bytes. The
    `huggingface` schema metadata lets `datasets` decode image columns as images."""
    features = {f.name: _hf_feature(f.type) for f in schema}
    meta = {b"huggingface": json.dumps({"info": {"features": features}}, sort_keys=True).encode()}
    table = pa.Table.from_pylist(rows, schema=schema.with_metadata(meta))
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        row_group_size=max(1, len(rows)),
        compression="snappy",
        use_dictionary=False,
        write_statistics=False,
        version="2.6",
        data_page_version="1.0",
        write_page_index=False,
    )


class Progress:
    """Counts items on stderr, one line per 10% (log-friendly, no carriage returns)."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total, self.done, self._next = name, total, 0, 0

    def step(self) -> None:
        self.done += 1
        if self.done >= self._next or self.done == self.total:
            print(f"[make_benchmarks] {self.name}: {self.done}/{self.total}", file=sys.stderr, flush=True)
            self._next = self.done + max(1, self.total // 10)
