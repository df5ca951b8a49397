"""Understanding-side vision path: SigLIP tower, learned 2x2 conv pooling, 2-layer GELU projector, and the
anyres packing of crop features with `image_newline` (LLaVA-NeXT `spatial_unpad`, newline per grid row).

Pixel preprocessing (crops, base view, normalisation) lives in `lavida_r1.model.image_processing`.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from transformers import SiglipVisionConfig, SiglipVisionModel

from .config import LavidaConfig


class SiglipTower(nn.Module):
    """transformers' SiglipVisionModel without its pooling head.

    The tower keeps only the layers whose output is used (upstream drops the last layer), so the last hidden
    state before post_layernorm is the feature map; post_layernorm stays for checkpoint compatibility only.
    The extra `vision_tower.vision_model` level reproduces the upstream key names.
    """

    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        v = config.vision
        self.vision_tower = nn.Module()
        self.vision_tower.vision_model = SiglipVisionModel(
            SiglipVisionConfig(
                hidden_size=v.hidden_size,
                intermediate_size=v.intermediate_size,
                num_hidden_layers=v.num_hidden_layers,
                num_attention_heads=v.num_attention_heads,
                image_size=v.image_size,
                patch_size=v.patch_size,
                layer_norm_eps=v.layer_norm_eps,
                vision_use_head=False,
            )
        )

    def forward(self, pixel_values: Tensor) -> Tensor:
        """[V, 3, S, S] → patch features [V, P*P, hidden]."""
        model = self.vision_tower.vision_model
        hidden = model.embeddings(pixel_values)
        for layer in model.encoder.layers:
            hidden = layer(hidden, None)
        return hidden


class SpatialPool(nn.Module):
    """Learned stride-2 conv over the square patch grid (upstream `mm_spatial_pool_mode conv`)."""

    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        s = config.mm_spatial_pool_stride
        self.pool = nn.Conv2d(config.vision.hidden_size, config.mm_spatial_pool_out_channels, kernel_size=s, stride=s)

    def forward(self, features: Tensor) -> Tensor:
        views, n, channels = features.shape
        side = math.isqrt(n)
        grid = features.transpose(1, 2).reshape(views, channels, side, side)
        return self.pool(grid).flatten(2).transpose(1, 2)


def build_projector(config: LavidaConfig) -> nn.Sequential:
    """`mlp2x_gelu`: Linear(mm_hidden → d_model), GELU, Linear(d_model → d_model)."""
    return nn.Sequential(
        nn.Linear(config.mm_spatial_pool_out_channels, config.d_model),
        nn.GELU(),
        nn.Linear(config.d_model, config.d_model),
    )


def token_region(config: LavidaConfig) -> int:
    """Side in view pixels of the region one pooled token covers (16 for the tiny preset)."""
    return config.vision.patch_size * config.mm_spatial_pool_stride


def pooled_side(config: LavidaConfig) -> int:
    """Tokens per side of one view after pooling (27 → 13 at 384 px upstream)."""
    patches = config.vision.image_size // config.vision.patch_size
    return (patches - config.mm_spatial_pool_stride) // config.mm_spatial_pool_stride + 1


def unpadded_shape(height: int, width: int, original_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Rows/cols of a (height, width) crop-feature map that hold the original image, as (top, bottom, left, right).

    The crops were cut from the image resized to fit the anyres resolution and centred on padding; this undoes
    that padding at feature resolution (LLaVA-NeXT's rule, integer arithmetic included).
    """
    orig_w, orig_h = original_size
    if orig_w / orig_h > width / height:
        new_h = int(orig_h * (width / orig_w))
        pad = (height - new_h) // 2
        return pad, height - pad, 0, width
    new_w = int(orig_w * (height / orig_h))
    pad = (width - new_w) // 2
    return 0, height, pad, width - pad


def count_image_tokens(config: LavidaConfig, grid: tuple[int, int], original_size: tuple[int, int]) -> int:
    """Number of `<image>` embeddings for an image: base view + unpadded crop map with one newline per row."""
    side = pooled_side(config)
    cols, rows = grid
    top, bottom, left, right = unpadded_shape(rows * side, cols * side, original_size)
    return side * side + (bottom - top) * (right - left + 1)


def pack_anyres(
    view_features: Tensor, grid: tuple[int, int], original_size: tuple[int, int], image_newline: Tensor
) -> Tensor:
    """Base view tokens, then the crops' feature map (unpadded) with `image_newline` closing every row.

    view_features: [1 + cols*rows, side*side, d] (base view first, crops row-major); returns [N, d].
    """
    cols, rows = grid
    views, n, d = view_features.shape
    if views != 1 + cols * rows:
        raise ValueError(f"expected {1 + cols * rows} views for grid {grid}, got {views}")
    side = math.isqrt(n)
    base = view_features[0]
    crops = view_features[1:].reshape(rows, cols, side, side, d)
    fmap = crops.permute(0, 2, 1, 3, 4).reshape(rows * side, cols * side, d)
    top, bottom, left, right = unpadded_shape(rows * side, cols * side, original_size)
    fmap = fmap[top:bottom, left:right]
    newline = image_newline.to(fmap.dtype).expand(fmap.shape[0], 1, d)
    return torch.cat((base, torch.cat((fmap, newline), dim=1).reshape(-1, d)), dim=0)
