"""Run configs as JSON files: dataclass fields by name, unknown fields refused, values validated."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def read_config(cls: type[T], path: str | Path, label: str) -> T:
    data: dict[str, Any] = json.loads(Path(path).read_text())
    unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})
    if unknown:
        raise ValueError(f"unknown {label} config fields in {path}: {unknown}")
    config = cls(**data)
    config.validate()
    return config


def field_changes(cls: type, changes: object, option: str) -> dict[str, Any]:
    """`changes` (parsed JSON) as keyword changes to a `cls` dataclass: an object of its field names."""
    fields = sorted(f.name for f in dataclasses.fields(cls))
    if not isinstance(changes, dict) or set(changes) - set(fields):
        raise ValueError(f"{option} must be a JSON object of {cls.__name__} fields ({', '.join(fields)})")
    return changes


def config_json(config: Any) -> str:
    return json.dumps(dataclasses.asdict(config), indent=2, sort_keys=True)


def training_cli(argv: list[str] | None, description: str, label: str, load: Callable[[Path], T],
                 run: Callable[[T, bool, int | None], object], source: str) -> None:
    """`--config FILE [--resume] [--until STEP]`; a bad config ends the process with one clear line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True, type=Path, help=f"JSON run config (see {source})")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/latest when it exists")
    parser.add_argument("--until", type=int, help="pause after this step (the schedule still spans all steps)")
    args = parser.parse_args(argv)
    try:
        config = load(args.config)
    except (OSError, ValueError, TypeError) as error:
        sys.exit(f"{label}: {error}")
    run(config, args.resume, args.until)
