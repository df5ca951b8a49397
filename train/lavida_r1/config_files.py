"""Run configs as JSON files: dataclass fields by name, unknown fields refused, values validated.

A path inside a config file is relative to the file's folder, so a run does not depend on the working directory
(`--config train/configs/X.json` from the repository root and `--config configs/X.json` from train/ are the
same run). Loaded configs hold absolute paths; writing one back makes them relative to the new file's folder.
A path field is declared with `metadata=INPUT` (read by the run: must exist) or `metadata=OUTPUT` (written).
The defaults of path fields name this package's own folder (`TRAIN_DIR`): the committed checkpoints, `runs/`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

TRAIN_DIR = Path(__file__).resolve().parents[1]
INPUT, OUTPUT = {"path": "input"}, {"path": "output"}


def path_fields(cls: type, kinds: tuple[str, ...] = ("input", "output")) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.metadata.get("path") in kinds]


def read_config(cls: type[T], path: str | Path, label: str) -> T:
    path = Path(path)
    data: dict[str, Any] = json.loads(path.read_text())
    unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})
    if unknown:
        raise ValueError(f"unknown {label} config fields in {path}: {unknown}")
    for name in path_fields(cls):
        if data.get(name) is not None:
            data[name] = os.path.normpath(path.absolute().parent / data[name])
    config = cls(**data)
    config.validate()
    return config


def portable(config: Any, folder: Path) -> dict[str, Any]:
    """The config's fields, its paths relative to `folder` (where a file holding them would live); absolute
    when they share no folder but the root."""
    data, base = dataclasses.asdict(config), os.path.abspath(folder)
    for name in path_fields(type(config)):
        if data[name] is not None:
            target = os.path.abspath(data[name])
            shared = os.path.commonpath([target, base]) != os.sep
            data[name] = os.path.relpath(target, base) if shared else target
    return data


def write_config(config: Any, path: Path) -> None:
    """`config` as a JSON file that `read_config` reads back to the same absolute paths."""
    path.write_text(json.dumps(portable(config, path.parent), indent=2, sort_keys=True) + "\n")


def field_changes(cls: type, changes: object, option: str) -> dict[str, Any]:
    """`changes` (parsed JSON) as keyword changes to a `cls` dataclass: an object of its field names."""
    fields = sorted(f.name for f in dataclasses.fields(cls))
    if not isinstance(changes, dict) or set(changes) - set(fields):
        raise ValueError(f"{option} must be a JSON object of {cls.__name__} fields ({', '.join(fields)})")
    return changes


def check_inputs(config: Any) -> None:
    """Every input path the config names exists, or FileNotFoundError naming the field and the path."""
    for name in path_fields(type(config), ("input",)):
        value = getattr(config, name)
        if value is not None and not Path(value).exists():
            raise FileNotFoundError(f"{name}: {os.path.abspath(value)} does not exist")


def training_arguments(description: str, source: str) -> argparse.ArgumentParser:
    """`--config FILE [--resume] [--until STEP]`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--config",
        required=True,
        type=Path,
        help=f"JSON run config; paths in it are relative to its folder (fields: {source})",
    )
    parser.add_argument("--resume", action="store_true", help="continue from OUT/latest when it exists")
    parser.add_argument("--until", type=int, help="pause after this step (the schedule still spans all steps)")
    return parser


def load_config(load: Callable[[Path], T], path: Path, label: str) -> T:
    """The config at `path` with its inputs present; otherwise the process ends with one clear line."""
    try:
        config = load(path)
        check_inputs(config)
    except (OSError, ValueError, TypeError) as error:
        sys.exit(f"{label}: {path}: {error}")
    return config
