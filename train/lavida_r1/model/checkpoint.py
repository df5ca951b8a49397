"""Our checkpoint format, and strict, memory-conscious loading shared with the upstream converter.

A checkpoint is a folder with two files:
- `config.json`: `LavidaConfig.to_json()`;
- `model.safetensors`: every `LavidaForMaskedDiffusion.state_dict()` tensor under its own key, in the dtype it
  was saved in. Non-persistent buffers (SigLIP's position ids) are not stored; they are rebuilt on load. A
  checkpoint saved with a narrower `storage_dtype` (float16 halves a float32 model's file) records the model's
  dtype in the file's metadata (`compute_dtype`), and loading casts its tensors back to it.
A checkpoint saved over a `base` (another checkpoint folder) stores only the tensors whose stored values differ
from the base's; its file's metadata names the base relative to the folder (`base`), and loading takes every other
tensor from there (bases may chain). A stage that trained part of the model (pathway pretraining trains the image
pathway alone) is then a small file beside the checkpoint it started from.
A published checkpoint also carries the answer canvases it was trained at (`canvases.json`, see `canvases.py`).

Loading builds the model on the meta device, checks every key and shape against the file headers before any
tensor data is read, then reads tensors one at a time and assigns them (`load_state_dict(assign=True)`), so the
weights exist once in memory.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers.models.siglip.modeling_siglip import SiglipVisionEmbeddings

from ..fsutil import replace_directory, temporary_sibling
from .config import LavidaConfig
from .lavida import LavidaForMaskedDiffusion

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
COMPUTE_DTYPE_KEY = "compute_dtype"
BASE_KEY = "base"


@dataclass(frozen=True)
class TensorRef:
    """Where one tensor of the model lives: a safetensors file and the key inside it."""

    file: Path
    key: str


class CheckpointMismatchError(ValueError):
    """The checkpoint's keys or shapes do not match the model; the message lists every offending key."""


def safetensors_keys(file: Path) -> list[str]:
    with safe_open(file, framework="pt") as f:
        return list(f.keys())


def _by_file(refs: Mapping[str, TensorRef]) -> dict[Path, list[tuple[str, str]]]:
    grouped: dict[Path, list[tuple[str, str]]] = defaultdict(list)
    for name, ref in refs.items():
        grouped[ref.file].append((name, ref.key))
    return grouped


def read_shapes(refs: Mapping[str, TensorRef]) -> dict[str, tuple[int, ...]]:
    """Shapes from the file headers only (no tensor data is read)."""
    shapes: dict[str, tuple[int, ...]] = {}
    absent: list[str] = []
    for file, entries in _by_file(refs).items():
        with safe_open(file, framework="pt") as f:
            present = set(f.keys())
            for name, key in entries:
                if key in present:
                    shapes[name] = tuple(f.get_slice(key).get_shape())
                else:
                    absent.append(f"{key} (in {file.name})")
    if absent:
        raise CheckpointMismatchError(
            f"the index names {len(absent)} tensors absent from their files:\n  " + "\n  ".join(sorted(absent))
        )
    return shapes


def stream_tensors(refs: Mapping[str, TensorRef]) -> Iterator[tuple[str, torch.Tensor]]:
    """(name, tensor) pairs, one file open at a time."""
    for file, entries in _by_file(refs).items():
        with safe_open(file, framework="pt") as f:
            for name, key in entries:
                yield name, f.get_tensor(key)


def check_shapes(expected: Mapping[str, tuple[int, ...]], found: Mapping[str, tuple[int, ...]]) -> None:
    """Raises CheckpointMismatchError listing all missing, unexpected and wrongly shaped keys (sorted)."""
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    wrong = sorted(
        f"{k}: checkpoint {list(found[k])} vs model {list(expected[k])}"
        for k in set(expected) & set(found)
        if tuple(found[k]) != tuple(expected[k])
    )
    sections = [
        (title, items)
        for title, items in (("missing", missing), ("unexpected", unexpected), ("shape mismatch", wrong))
        if items
    ]
    if sections:
        raise CheckpointMismatchError(
            "checkpoint does not match the model:\n"
            + "\n".join(f"{title} ({len(items)}):\n  " + "\n  ".join(items) for title, items in sections)
        )


def build_on_meta(config: LavidaConfig) -> LavidaForMaskedDiffusion:
    with torch.device("meta"):
        return LavidaForMaskedDiffusion(config)


def _rebuild_nonpersistent_buffers(model: LavidaForMaskedDiffusion) -> None:
    """Buffers absent from checkpoints are still on meta after assign-loading; recompute them."""
    for module in model.modules():
        if isinstance(module, SiglipVisionEmbeddings):
            module.position_ids = torch.arange(module.num_positions).expand((1, -1))
    left = [name for name, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        raise RuntimeError(f"tensors left on the meta device after loading: {sorted(left)}")


def materialize(
    config: LavidaConfig, refs: Mapping[str, TensorRef], dtype: torch.dtype | None = None
) -> LavidaForMaskedDiffusion:
    """The model with the referenced tensors as its weights (cast to `dtype` if given), in eval mode."""
    model = build_on_meta(config)
    check_shapes({k: tuple(v.shape) for k, v in model.state_dict().items()}, read_shapes(refs))
    state = {}
    for name, tensor in stream_tensors(refs):
        state[name] = tensor.to(dtype) if dtype is not None and tensor.is_floating_point() else tensor
    model.load_state_dict(state, strict=True, assign=True)
    _rebuild_nonpersistent_buffers(model)
    return model.eval()


def _metadata(file: Path) -> dict[str, str]:
    with safe_open(file, framework="pt") as f:
        return f.metadata() or {}


def compute_dtype(file: Path) -> torch.dtype | None:
    """The dtype a narrower-stored checkpoint's model computes in; None when it computes in the stored dtype."""
    name = _metadata(file).get(COMPUTE_DTYPE_KEY)
    return None if name is None else getattr(torch, name)


def checkpoint_refs(directory: Path, seen: tuple[Path, ...] = ()) -> dict[str, TensorRef]:
    """Where every tensor of the checkpoint in `directory` lives: its own file, then its bases' files."""
    directory = directory.resolve()
    if directory in seen:
        raise ValueError(f"checkpoint bases form a cycle: {' -> '.join(map(str, (*seen, directory)))}")
    file = directory / WEIGHTS_FILE
    if not file.exists():
        raise FileNotFoundError(f"{file} does not exist" + (f" (the base of {seen[-1]})" if seen else ""))
    base = _metadata(file).get(BASE_KEY)
    refs = checkpoint_refs(directory / base, (*seen, directory)) if base is not None else {}
    return refs | {key: TensorRef(file, key) for key in safetensors_keys(file)}


def load_checkpoint(directory: str | Path) -> LavidaForMaskedDiffusion:
    directory = Path(directory)
    config = LavidaConfig.from_json((directory / CONFIG_FILE).read_text())
    return materialize(config, checkpoint_refs(directory), dtype=compute_dtype(directory / WEIGHTS_FILE))


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def narrowed(
    state: Mapping[str, torch.Tensor], storage_dtype: torch.dtype
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The floating tensors cast to `storage_dtype`, and the metadata that has loading cast them back."""
    floats = [v for v in state.values() if v.is_floating_point()]
    compute = {v.dtype for v in floats}
    if len(compute) != 1:
        raise ValueError(
            f"a narrower storage dtype needs one floating dtype in the model, found {sorted(map(str, compute))}"
        )
    limit = torch.finfo(storage_dtype).max
    too_large = [k for k, v in state.items() if v.is_floating_point() and v.abs().max().item() > limit]
    if too_large:
        raise ValueError(f"{storage_dtype} cannot hold the values of {sorted(too_large)} (beyond {limit:g})")
    cast = {k: v.to(storage_dtype) if v.is_floating_point() else v for k, v in state.items()}
    return cast, {COMPUTE_DTYPE_KEY: str(compute.pop()).removeprefix("torch.")}


def _changed_from(state: Mapping[str, torch.Tensor], base: Path) -> dict[str, torch.Tensor]:
    """The tensors of `state` (as they will be stored) whose values differ from the base checkpoint's."""
    before = load_checkpoint(base).state_dict()
    return {k: v for k, v in state.items() if not torch.equal(v, before[k].to(v.dtype))}


def save_checkpoint(
    model: LavidaForMaskedDiffusion,
    directory: str | Path,
    storage_dtype: torch.dtype | None = None,
    base: str | Path | None = None,
) -> None:
    """Writes the folder under a temporary name next to it, then renames it into place.

    An existing folder is moved aside before the rename and deleted after, so `directory` never holds a
    half-written checkpoint. `storage_dtype` stores the floating tensors narrower, `base` only the tensors that
    differ from that checkpoint's (see the module docstring).
    """
    directory = Path(directory)
    tmp = temporary_sibling(directory)
    try:
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        metadata = {"format": "pt"}
        if storage_dtype is not None:
            state, recorded = narrowed(state, storage_dtype)
            metadata |= recorded
        if base is not None:
            (compute,) = {v.dtype for v in model.state_dict().values() if v.is_floating_point()}
            state = _changed_from(state, Path(base))
            # the base's tensors load cast to the dtype this file records, whatever dtype the base stores
            metadata.setdefault(COMPUTE_DTYPE_KEY, str(compute).removeprefix("torch."))
            metadata[BASE_KEY] = os.path.relpath(Path(base).resolve(), directory.resolve())
        save_file(state, tmp / WEIGHTS_FILE, metadata=metadata)
        (tmp / CONFIG_FILE).write_text(model.config.to_json() + "\n")
        shutil.copymode(tmp / CONFIG_FILE, tmp / WEIGHTS_FILE)  # safetensors writes 0600
        for name in (WEIGHTS_FILE, CONFIG_FILE):
            _fsync(tmp / name)
        replace_directory(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
