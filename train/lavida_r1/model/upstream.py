"""The upstream LaViDa-O checkpoint layout: reading it into our model, and writing it (for tests).

Layout (HF `jacklishufan/LaViDa-O-v1.0`):
- `config.json`: upstream field names (see upstream_config.py);
- `model.safetensors.index.json` (`weight_map`: key → shard file) + shards, or a single `model.safetensors`;
- `vqvae/config.json` + `vqvae/diffusion_pytorch_model.safetensors`: the VQ-VAE in diffusers layout, used when
  the main shards hold no `model.vqvae.*` keys (its keys get the `model.vqvae.` prefix).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from .checkpoint import TensorRef, materialize, read_shapes, safetensors_keys
from .config import LavidaConfig
from .lavida import LavidaForMaskedDiffusion
from .upstream_config import config_from_upstream, upstream_config_dict

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"
VQ_DIR = "vqvae"
VQ_WEIGHTS = "diffusion_pytorch_model.safetensors"
VQ_PREFIX = "model.vqvae."

# Upstream key → our key, for names that differ. Empty: our module names reproduce the upstream keys
# (reference §10.3). `lm_head.weight` is deliberately not aliased: upstream's untied head is
# `model.transformer.ff_out.weight` (weight_tying false), so an `lm_head.weight` means another layout
# (e.g. LLaDA-V's HF-llama conversion) and must fail the strict check rather than be loaded.
RENAMES: dict[str, str] = {}


def upstream_refs(directory: Path) -> dict[str, TensorRef]:
    """Our key → tensor location, for every tensor of an upstream checkpoint folder."""
    index = directory / INDEX_FILE
    if index.exists():
        weight_map: dict[str, str] = json.loads(index.read_text())["weight_map"]
        found = {key: TensorRef(directory / file, key) for key, file in weight_map.items()}
    elif (directory / SINGLE_FILE).exists():
        found = {key: TensorRef(directory / SINGLE_FILE, key) for key in safetensors_keys(directory / SINGLE_FILE)}
    else:
        raise FileNotFoundError(f"{directory} has neither {INDEX_FILE} nor {SINGLE_FILE}")
    refs = {RENAMES.get(key, key): ref for key, ref in found.items()}
    vq_file = directory / VQ_DIR / VQ_WEIGHTS
    if not any(key.startswith(VQ_PREFIX) for key in refs) and vq_file.exists():
        refs.update({VQ_PREFIX + key: TensorRef(vq_file, key) for key in safetensors_keys(vq_file)})
    return refs


def read_upstream_config(directory: Path, refs: dict[str, TensorRef]) -> LavidaConfig:
    upstream = json.loads((directory / "config.json").read_text())
    vq_config = directory / VQ_DIR / "config.json"
    vq = json.loads(vq_config.read_text()) if vq_config.exists() else None
    return config_from_upstream(upstream, vq, read_shapes(refs))


def load_upstream(directory: str | Path, dtype: torch.dtype | None = None) -> LavidaForMaskedDiffusion:
    """Our model from an upstream checkpoint folder; any missing, unexpected or misshaped key raises."""
    directory = Path(directory)
    refs = upstream_refs(directory)
    return materialize(read_upstream_config(directory, refs), refs, dtype)


def _pack(sizes: dict[str, int], limit: int) -> list[list[str]]:
    """Keys in order, cut into shards of at most `limit` bytes (a larger tensor gets a shard of its own)."""
    shards: list[list[str]] = [[]]
    used = 0
    for key, size in sizes.items():
        if shards[-1] and used + size > limit:
            shards.append([])
            used = 0
        shards[-1].append(key)
        used += size
    return shards


def write_upstream_checkpoint(model: LavidaForMaskedDiffusion, directory: str | Path, shard_size_bytes: int) -> None:
    """Writes `model` in the upstream layout: config.json, shards (+ index when more than one), vqvae/."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(upstream_config_dict(model.config), indent=2) + "\n")
    state = {k: v.contiguous() for k, v in model.state_dict().items() if not k.startswith(VQ_PREFIX)}
    shards = _pack({k: v.numel() * v.element_size() for k, v in state.items()}, shard_size_bytes)
    if len(shards) == 1:
        save_file(state, directory / SINGLE_FILE, metadata={"format": "pt"})
    else:
        weight_map = {}
        for i, keys in enumerate(shards, start=1):
            file = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
            save_file({k: state[k] for k in keys}, directory / file, metadata={"format": "pt"})
            weight_map.update(dict.fromkeys(keys, file))
        total = sum(v.numel() * v.element_size() for v in state.values())
        index = {"metadata": {"total_size": total}, "weight_map": weight_map}
        (directory / INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n")
    model.model.vqvae.save_pretrained(directory / VQ_DIR)
