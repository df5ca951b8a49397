"""Atomic replacement of a folder or a file: readers see the old complete version or the new one, never a mix."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def temporary_sibling(directory: Path) -> Path:
    """A fresh empty folder next to `directory` (same filesystem, so the final rename is atomic)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.tmp-{uuid.uuid4().hex}")
    tmp.mkdir()  # mkdir, unlike mkdtemp, honours the umask
    return tmp


def replace_directory(tmp: Path, directory: Path) -> None:
    """Moves the finished `tmp` into place; an existing folder is moved aside first and deleted after."""
    if directory.exists():
        old = directory.with_name(f".{directory.name}.old-{uuid.uuid4().hex}")
        os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old)
    else:
        os.replace(tmp, directory)


def write_atomic(path: Path, text: str) -> None:
    """Writes `text` to a sibling temporary file, then renames it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex}")
    tmp.write_text(text)
    os.replace(tmp, path)
