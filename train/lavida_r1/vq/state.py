"""Training state on disk: one file, written to a temporary name and renamed, so a crash leaves the previous
checkpoint intact."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

STATE_FILE = "state.pt"


def save_state(out: Path, state: dict[str, Any]) -> None:
    tmp = out / f".{STATE_FILE}.tmp-{os.getpid()}"
    torch.save(state, tmp)
    os.replace(tmp, out / STATE_FILE)


def load_state(out: Path) -> dict[str, Any] | None:
    path = out / STATE_FILE
    return torch.load(path, weights_only=True) if path.exists() else None
