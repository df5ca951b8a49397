"""Saving the trained VQ in diffusers layout and loading it into a LaViDa model with strict checks."""

from __future__ import annotations

import json
from pathlib import Path

from diffusers import VQModel
from safetensors.torch import load_file
from torch import nn

from ..fsutil import replace_directory, temporary_sibling
from ..model.upstream_config import check_vq_settings

VQ_DIR = "vqvae"  # the same subfolder as upstream checkpoints
WEIGHTS = "diffusion_pytorch_model.safetensors"


def save_vqvae(vqvae: VQModel, out: Path) -> Path:
    """Writes `out/vqvae/` (config.json + safetensors) atomically."""
    target = out / VQ_DIR
    tmp = temporary_sibling(target)
    vqvae.save_pretrained(tmp)
    replace_directory(tmp, target)
    return target


def load_vqvae_into(model: nn.Module, directory: str | Path) -> None:
    """Loads `directory/vqvae/` into `model` (LavidaForMaskedDiffusion or LavidaModel). Every setting, key and
    shape must match the model's own VQModel; nothing is loaded otherwise."""
    folder = Path(directory) / VQ_DIR
    inner = getattr(model, "model", model)
    check_vq_settings(inner.config, json.loads((folder / "config.json").read_text()))
    weights = load_file(folder / WEIGHTS)
    ours = inner.vqvae.state_dict()
    problems = [f"missing {k}" for k in sorted(set(ours) - set(weights))]
    problems += [f"unexpected {k}" for k in sorted(set(weights) - set(ours))]
    problems += [
        f"{k}: {tuple(weights[k].shape)} vs ours {tuple(v.shape)}"
        for k, v in ours.items()
        if k in weights and weights[k].shape != v.shape
    ]
    if problems:
        raise ValueError(f"{folder} does not fit this model's VQ-VAE:\n  " + "\n  ".join(problems))
    inner.vqvae.load_state_dict(weights, strict=True)
