"""A stderr progress line with ETA, and an append-only CSV log that survives resumes."""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path


def format_seconds(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    def __init__(self, total: int, start: int = 0) -> None:
        self.total, self.start, self.began = total, start, time.monotonic()

    def update(self, step: int, **values: float) -> None:
        """`step` = steps done so far."""
        elapsed = time.monotonic() - self.began
        rate = elapsed / max(step - self.start, 1)
        fields = " | ".join(f"{k} {v:.4g}" for k, v in values.items())
        line = f"step {step}/{self.total} | {fields} | {rate:.2f} s/step | ETA {format_seconds(rate * (self.total - step))}"
        end = "\r" if sys.stderr.isatty() and step < self.total else "\n"
        print(line, end=end, file=sys.stderr, flush=True)


class CsvLog:
    """Rows keyed by step; opening at `resume_step` drops rows logged after the checkpoint being resumed."""

    def __init__(self, path: Path, columns: list[str], resume_step: int = 0) -> None:
        self.path, self.columns = path, ["step", *columns]
        kept: list[dict[str, str]] = []
        if resume_step and path.exists():
            with path.open(newline="") as f:
                kept = [row for row in csv.DictReader(f) if int(row["step"]) <= resume_step]
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, self.columns)
            writer.writeheader()
            writer.writerows(kept)

    def append(self, step: int, **values: float | str | None) -> None:
        cell = lambda v: "" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, self.columns).writerow({"step": step, **{k: cell(v) for k, v in values.items()}})
