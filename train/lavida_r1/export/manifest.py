"""manifest.json: building it from an exported folder, and verifying a package before it is loaded.

The format is specified in models/README.md; models/manifest.schema.json is the JSON Schema the server and
`verify_package` validate against.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import onnx

FORMAT = "lavida-onnx-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "models" / "manifest.schema.json"

_ONNX_DTYPES = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.FLOAT16: "float16",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.BOOL: "bool",
}


class PackageError(ValueError):
    """The package is unusable: invalid manifest, missing or altered file. The message says which."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _value_info(value: onnx.ValueInfoProto) -> dict[str, Any]:
    tensor = value.type.tensor_type
    shape = [d.dim_param if d.dim_param else d.dim_value for d in tensor.shape.dim]
    return {"name": value.name, "dtype": _ONNX_DTYPES[tensor.elem_type], "shape": shape}


def graph_entry(path: Path) -> dict[str, Any]:
    """File names and I/O signature of one exported graph, read from the ONNX file (weights not loaded)."""
    model = onnx.load(path, load_external_data=False)
    entry: dict[str, Any] = {
        "file": path.name,
        "opset": model.opset_import[0].version,
        "inputs": [_value_info(v) for v in model.graph.input],
        "outputs": [_value_info(v) for v in model.graph.output],
    }
    locations = {
        e.value
        for t in model.graph.initializer
        if t.data_location == onnx.TensorProto.EXTERNAL
        for e in t.external_data
        if e.key == "location"
    }
    if len(locations) > 1:
        raise ValueError(f"{path.name}: weights in several external files {sorted(locations)}")
    if locations:
        entry["external_data"] = locations.pop()
    return entry


def file_table(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(directory.iterdir())
        if p.is_file() and p.name != MANIFEST
    }


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def write_manifest(directory: Path, body: dict[str, Any]) -> dict[str, Any]:
    """Adds format, graph signatures and the file table to `body`, validates and writes manifest.json."""
    graphs = {p.stem: graph_entry(p) for p in sorted(directory.glob("*.onnx"))}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        **body,
        "graphs": graphs,
        "files": file_table(directory),
    }
    manifest = json.loads(json.dumps(manifest))  # tuples → lists, as a reader will see it
    jsonschema.validate(manifest, load_schema())
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def verify_package(directory: str | Path) -> dict[str, Any]:
    """The manifest of a package after checking it against the schema and every file against its size and
    sha256; raises PackageError naming the first problem."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise PackageError(f"package {directory}: cannot read {MANIFEST}: {error}") from None
    try:
        jsonschema.validate(manifest, load_schema())
    except jsonschema.ValidationError as error:
        raise PackageError(
            f"package {directory}: {MANIFEST} does not match the schema at "
            f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        ) from None
    files = manifest["files"]
    for graph in manifest["graphs"].values():
        for name in (graph["file"], graph.get("external_data")):
            if name is not None and name not in files:
                raise PackageError(f"package {directory}: graph file {name} has no sha256 in {MANIFEST}")
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise PackageError(f"package {directory}: {name} is missing")
        size = path.stat().st_size
        if size != expected["bytes"]:
            raise PackageError(f"package {directory}: {name} has {size} bytes, the manifest says {expected['bytes']}")
        digest = sha256_file(path)
        if digest != expected["sha256"]:
            raise PackageError(
                f"package {directory}: {name} fails its checksum (sha256 {digest}, manifest "
                f"{expected['sha256']}): the file is corrupt or was modified"
            )
    return manifest
