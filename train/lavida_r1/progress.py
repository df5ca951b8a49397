"""A stderr progress line with rate and ETA, and an append-only CSV log that survives resumes."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import TextIO


def format_seconds(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def format_rate(seconds_per_step: float) -> str:
    if seconds_per_step >= 1:
        return f"{seconds_per_step:.2f} s/step"
    return f"{1 / max(seconds_per_step, 1e-9):.2f} step/s"


class Progress:
    """`update` after every step. A line is due at the first step, then at every multiple of `every` or when
    `seconds` have passed since the last one, whichever comes first, and at the last step (`total`): that is what
    a log file gets. A terminal gets the line redrawn in place after every step (at most 10 times a second)."""

    REDRAW_SECONDS = 0.1

    def __init__(
        self, total: int, start: int = 0, every: int = 10, seconds: float = 10.0, stream: TextIO | None = None
    ) -> None:
        self.total, self.start, self.every, self.seconds = total, start, every, seconds
        self.stream = stream if stream is not None else sys.stderr
        self.began = self.reported = self.drawn = time.monotonic()

    def note(self, text: str) -> None:
        """A line of its own (what the run is about to do)."""
        self.stream.write(text + "\n")
        self.stream.flush()

    def due(self, step: int, now: float) -> bool:
        return (
            step == self.start + 1
            or step >= self.total
            or step % self.every == 0
            or now - self.reported >= self.seconds
        )

    def update(self, step: int, **values: float | str) -> None:
        """`step` = steps done so far; `values` (loss, lr, ...) shown as given."""
        now = time.monotonic()
        tty, due = self.stream.isatty(), self.due(step, now)
        if not due and not (tty and now - self.drawn >= self.REDRAW_SECONDS):
            return
        if due:
            self.reported = now
        self.drawn = now
        elapsed = now - self.began
        rate = elapsed / max(step - self.start, 1)
        shown = [f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()]
        line = " | ".join(
            [
                f"step {step}/{self.total}",
                *shown,
                format_rate(rate),
                f"{format_seconds(elapsed)} elapsed, ETA {format_seconds(rate * (self.total - step))}",
            ]
        )
        if tty:
            self.stream.write(f"\r{line}\x1b[K" + ("\n" if step >= self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def log_rows_through(path: Path, step: int) -> list[dict[str, str]]:
    """The rows of a CsvLog file up to and including `step`."""
    with path.open(newline="") as f:
        return [row for row in csv.DictReader(f) if int(row["step"]) <= step]


def copy_log_through(source: Path, dest: Path, step: int) -> None:
    """`source`'s rows through `step` (a log can run past its run's last saved checkpoint)."""
    with source.open(newline="") as f:
        columns = csv.DictReader(f).fieldnames or []
    with dest.open("w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(log_rows_through(source, step))


class CsvLog:
    """Rows keyed by step; opening at `resume_step` drops rows logged after the checkpoint being resumed."""

    def __init__(self, path: Path, columns: list[str], resume_step: int = 0) -> None:
        self.path, self.columns = path, ["step", *columns]
        kept = log_rows_through(path, resume_step) if resume_step and path.exists() else []
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, self.columns)
            writer.writeheader()
            writer.writerows(kept)

    def append(self, step: int, **values: float | str | None) -> None:
        cell = lambda v: "" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, self.columns).writerow({"step": step, **{k: cell(v) for k, v in values.items()}})
