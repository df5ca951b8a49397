"""Writing an ablation's JSON and Markdown side by side (atomically, so a killed run leaves no half file)."""

from __future__ import annotations

import json
from pathlib import Path

from ...fsutil import write_atomic


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    cell = lambda v: f"{v:.4g}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]) + "\n"


def write_report(out: Path, name: str, data: dict, markdown: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / f"{name}.json", json.dumps(data, indent=2) + "\n")
    write_atomic(out / f"{name}.md", markdown)
