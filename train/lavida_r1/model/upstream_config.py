"""Upstream LaViDa-O `config.json` (+ `vqvae/config.json`) ↔ LavidaConfig.

LavidaConfig's fields carry the upstream names, so every field found in config.json is taken as is and absent
ones keep the LaViDa-O defaults (the special ids upstream hard-codes in Python — eot, image slots, LOC and box
tokens — come out that way). Exceptions:
- `image_grid_pinpoints`: pixels upstream, multiples of the vision image size here.
- `max_sequence_length`: `tokenizer_model_max_length` when present. LaViDa-O trains at 8192 while LLaDA's
  4096 stays in its config; RoPE has no length table, so the tokenizer limit is the real one.
- `vision`: a `vision_config` block when present (our extension, VisionConfig names; `num_hidden_layers`
  counts the layers kept in the checkpoint). Upstream has none (it names `google/siglip-so400m-patch14-384`),
  so the dims come from the checkpoint's tensor shapes (the image size from the pinpoints), and the head count
  and eps, which shapes cannot tell, are SigLIP-so400m's.
- `vq`: from `vqvae/config.json` (diffusers VQModel names); the generation resolution from `image_gen_size`
  (default 1024). Every other VQModel setting must equal what our VQModel is built with.
Settings we implement one way only (FIXED_SETTINGS) must have that value when present.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

import torch

from .config import LavidaConfig, VisionConfig, VQConfig
from .generation import build_vqvae

VISION_PREFIX = "model.vision_tower.vision_tower.vision_model."
NESTED_FIELDS = ("vision", "vq", "image_grid_pinpoints")

# Upstream settings our modules implement one way only (values of the released config, reference §4.2).
FIXED_SETTINGS: dict[str, Any] = {
    "block_type": "llama",
    "layer_norm_type": "rms",
    "activation_type": "silu",
    "include_bias": False,
    "rope": True,
    "weight_tying": False,
    "tie_word_embeddings": False,
    "gen_mlp_type": "dit2",
    "mm_projector_type": "mlp2x_gelu",
    "mm_resampler_type": "spatial_pool",
    "mm_spatial_pool_mode": "conv",
    "mm_vision_select_layer": -2,
    "mm_vision_select_feature": "patch",
    "mm_patch_merge_type": "spatial_unpad",
    "mm_newline_position": "grid",
    "image_aspect_ratio": "anyres",
}
# VQModel settings that do not change the weights or our use of the model (encode, quantize, decode).
VQ_IGNORED = {
    "_class_name",
    "_diffusers_version",
    "_name_or_path",
    "_use_default_values",
    "sample_size",
    "scaling_factor",
    "force_upcast",
}
VQ_FIELDS = (
    "in_channels",
    "out_channels",
    "block_out_channels",
    "layers_per_block",
    "latent_channels",
    "num_vq_embeddings",
    "norm_num_groups",
    "mid_block_add_attention",
    "encode_cells",  # ours (see VQConfig); absent from upstream configs
)
DEFAULT_GEN_IMAGE_SIZE = VQConfig().image_size


def _scalar_fields() -> list[str]:
    return [f.name for f in dataclasses.fields(LavidaConfig) if f.name not in NESTED_FIELDS]


def vision_from_shapes(shapes: Mapping[str, tuple[int, ...]], pinpoints: list[list[int]] | None) -> VisionConfig:
    """SigLIP dims read off the checkpoint's tensor shapes; head count and eps keep the so400m values.

    Shapes give the patch grid, not the image size (384 px at patch 14 is a 27-patch grid, 6 px unused), so the
    image size is the pinpoints' common divisor when it gives that grid (pinpoints are multiples of the crop
    size), else grid x patch.
    """
    patch = shapes.get(VISION_PREFIX + "embeddings.patch_embedding.weight")
    positions = shapes.get(VISION_PREFIX + "embeddings.position_embedding.weight")
    fc1 = shapes.get(VISION_PREFIX + "encoder.layers.0.mlp.fc1.weight")
    if patch is None or positions is None or fc1 is None:
        raise ValueError("config.json has no vision_config and the checkpoint holds no SigLIP tower to read it from")
    patch_size, grid = patch[2], math.isqrt(positions[0])
    divisor = math.gcd(*(p for pair in pinpoints for p in pair)) if pinpoints else 0
    image_size = divisor if divisor // patch_size == grid else grid * patch_size
    layers = {k[len(VISION_PREFIX) :].split(".")[2] for k in shapes if k.startswith(VISION_PREFIX + "encoder.layers.")}
    return VisionConfig(
        hidden_size=patch[0],
        intermediate_size=fc1[0],
        num_hidden_layers=len(layers),
        image_size=image_size,
        patch_size=patch_size,
    )


def vq_from_diffusers(vq: Mapping[str, Any], image_size: int) -> VQConfig:
    values = {name: vq[name] for name in VQ_FIELDS if name in vq}
    if "block_out_channels" in values:
        values["block_out_channels"] = tuple(values["block_out_channels"])
    return VQConfig(**values, image_size=image_size)


def check_vq_settings(config: LavidaConfig, vq: Mapping[str, Any]) -> None:
    """Every VQModel setting in vqvae/config.json must equal the one our VQModel is built with."""
    with torch.device("meta"):
        ours = json.loads(json.dumps(dict(build_vqvae(config).config)))
    # our own setting: absent (upstream, earlier tokenizers) means False, on either side
    vq, ours = {"encode_cells": False, **vq}, {"encode_cells": False, **ours}
    differing = sorted(
        f"{k}: {vq[k]!r} (ours {ours.get(k)!r})"
        for k in set(vq) - VQ_IGNORED
        if json.loads(json.dumps(vq[k])) != ours.get(k)
    )
    if differing:
        raise ValueError("vqvae/config.json has settings this model does not build:\n  " + "\n  ".join(differing))


def config_from_upstream(
    upstream: Mapping[str, Any], vq: Mapping[str, Any] | None, shapes: Mapping[str, tuple[int, ...]]
) -> LavidaConfig:
    """LavidaConfig of an upstream checkpoint: its config.json, vqvae/config.json (None if absent), tensor shapes."""
    wrong = sorted(
        f"{k}: {upstream[k]!r} (supported: {v!r})"
        for k, v in FIXED_SETTINGS.items()
        if k in upstream and upstream[k] != v
    )
    if wrong:
        raise ValueError("unsupported upstream settings:\n  " + "\n  ".join(wrong))
    values: dict[str, Any] = {k: upstream[k] for k in _scalar_fields() if k in upstream}
    if "tokenizer_model_max_length" in upstream:
        values["max_sequence_length"] = upstream["tokenizer_model_max_length"]
    if "vision_config" in upstream:
        known = {f.name for f in dataclasses.fields(VisionConfig)}
        vision = VisionConfig(**{k: v for k, v in upstream["vision_config"].items() if k in known})
    else:
        vision = vision_from_shapes(shapes, upstream.get("image_grid_pinpoints"))
    values["vision"] = vision
    if "image_grid_pinpoints" in upstream:
        size = vision.image_size
        if any(p % size for pair in upstream["image_grid_pinpoints"] for p in pair):
            raise ValueError(f"image_grid_pinpoints {upstream['image_grid_pinpoints']} are not multiples of {size}")
        values["image_grid_pinpoints"] = tuple((w // size, h // size) for w, h in upstream["image_grid_pinpoints"])
    image_size = upstream.get("image_gen_size", DEFAULT_GEN_IMAGE_SIZE)
    values["vq"] = vq_from_diffusers(vq, image_size) if vq is not None else VQConfig(image_size=image_size)
    config = LavidaConfig(**values)
    config.validate()
    if vq is not None:
        check_vq_settings(config, vq)
    return config


def upstream_config_dict(config: LavidaConfig) -> dict[str, Any]:
    """config.json in upstream names, plus `vision_config` and `image_gen_size`. Fields upstream does not carry
    are written only where they differ from the LaViDa-O defaults, so the released dims give the released fields."""
    defaults = LavidaConfig()
    upstream_names = {
        "d_model",
        "d_model_gen",
        "n_layers",
        "n_heads",
        "n_kv_heads",
        "mlp_hidden_size",
        "mlp_hidden_size_gen",
        "dual_tower",
        "dual_tower_layers",
        "enc_use_image_branch",
        "downsample",
        "vocab_size",
        "embedding_size",
        "rope_theta",
        "rms_norm_eps",
        "mask_token_id",
        "eos_token_id",
        "pad_token_id",
        "mm_hidden_size",
        "mm_spatial_pool_stride",
        "mm_spatial_pool_out_channels",
    }
    data: dict[str, Any] = {
        "model_type": "llava_llada",
        "architectures": ["LlavaLladaForMaskedDiffusion"],
        **FIXED_SETTINGS,
        "max_sequence_length": 4096,
        "tokenizer_model_max_length": config.max_sequence_length,
    }
    for name in _scalar_fields():
        value = getattr(config, name)
        if name in upstream_names or value != getattr(defaults, name):
            data[name] = value
    size = config.vision.image_size
    data["image_grid_pinpoints"] = [[w * size, h * size] for w, h in config.image_grid_pinpoints]
    data["vision_config"] = dataclasses.asdict(config.vision)
    data["image_gen_size"] = config.vq.image_size
    return data
