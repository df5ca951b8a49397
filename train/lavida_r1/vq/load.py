"""Saving the trained VQ in diffusers layout and loading it into a LaViDa model with strict checks."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from diffusers import VQModel
from safetensors.torch import load_file
from torch import nn

from ..fsutil import replace_directory, temporary_sibling
from ..model.generation import build_vqvae
from ..model.upstream_config import check_vq_settings, vq_from_diffusers

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


def adopt_vqvae(model: nn.Module, directory: str | Path) -> None:
    """Gives `model` the tokenizer in `directory/vqvae/` with that tokenizer's settings (a checkpoint moving to a
    retrained tokenizer, e.g. a cell-local one). The codebook size and image size must stay: the generation
    embedding and heads are shaped by them. Prints the settings that changed."""
    folder = Path(directory) / VQ_DIR
    inner = getattr(model, "model", model)
    current = inner.config.vq
    settings = vq_from_diffusers(json.loads((folder / "config.json").read_text()), current.image_size)
    if settings.num_vq_embeddings != current.num_vq_embeddings:
        raise ValueError(
            f"{folder} has {settings.num_vq_embeddings} codes, this model's generation heads {current.num_vq_embeddings}"
        )
    if settings != current:
        changed = {k: v for k, v in asdict(settings).items() if v != getattr(current, k)}
        print(f"[vq] the model takes {folder}'s settings: {changed}", flush=True)
        inner.config.vq = settings
        inner.vqvae = build_vqvae(inner.config)
    load_vqvae_into(model, directory)
