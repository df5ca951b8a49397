"""One copy of the backbone's weights per package: the text-only backbone's initializers are the mixed
backbone's (same tensors, same bytes), so both graphs read them from the mixed graph's external data file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import onnx
from onnx import numpy_helper

from .onnx_io import save_model

Key = tuple[int, tuple[int, ...], str]


def _key(tensor: onnx.TensorProto) -> Key:
    return tensor.data_type, tuple(tensor.dims), hashlib.sha256(numpy_helper.to_array(tensor).tobytes()).hexdigest()


def _external(tensor: onnx.TensorProto) -> dict[str, str]:
    return {e.key: e.value for e in tensor.external_data}


def share_weights(directory: Path, owner: str, borrower: str) -> None:
    """Moves `owner.onnx`'s weights to `owner.onnx.data` and points every initializer of `borrower.onnx` with the
    same content at the same bytes there; the borrower's other initializers stay inside its file."""
    owner_path, borrower_path = directory / f"{owner}.onnx", directory / f"{borrower}.onnx"
    model = onnx.load(owner_path)
    keys = {t.name: _key(t) for t in model.graph.initializer}
    save_model(model, owner_path, external=True)
    located = {
        keys[t.name]: _external(t)
        for t in onnx.load(owner_path, load_external_data=False).graph.initializer
        if t.data_location == onnx.TensorProto.EXTERNAL
    }
    borrowed = onnx.load(borrower_path)
    for tensor in borrowed.graph.initializer:
        where = located.get(_key(tensor))
        if where is None:
            continue
        tensor.ClearField("raw_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        del tensor.external_data[:]
        for name in ("location", "offset", "length"):
            tensor.external_data.add(key=name, value=where[name])
    borrower_path.with_name(borrower_path.name + ".data").unlink(missing_ok=True)
    onnx.save_model(borrowed, borrower_path)
