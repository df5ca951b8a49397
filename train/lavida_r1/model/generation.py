"""Generation path: VQ image tokenizer (diffusers' VQModel), generation embedding/predictor heads and the 2x2
down/up-sampling that puts a (H x W) VQ grid into the LM as (H/2 x W/2) positions (LaViDa-O `downsample`).

Flow: VQ ids [B, H, W] → gen_embedding (per token) → downsample_gen → gen_embedding_2 → LM (generation
branch, width d_model_gen) → gen_predictor_2 → upsample_gen → gen_predictor → logits [B, H*W, codebook].
"""

from __future__ import annotations

import math

import torch
from diffusers import VQModel
from torch import Tensor, nn

from .config import LavidaConfig
from .llada import RMSNorm


class Downsample2D(nn.Module):
    """RMSNorm then a 2x2 stride-2 conv."""

    def __init__(self, channels: int, eps: float) -> None:
        super().__init__()
        self.norm = RMSNorm(channels, eps)
        self.conv = nn.Conv2d(channels, channels, kernel_size=2, stride=2)

    def forward(self, grid: Tensor) -> Tensor:  # [B, H, W, C] → [B, H/2, W/2, C]
        return self.conv(self.norm(grid).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


class Upsample2D(nn.Module):
    """RMSNorm then a 2x2 stride-2 transposed conv."""

    def __init__(self, channels: int, eps: float) -> None:
        super().__init__()
        self.norm = RMSNorm(channels, eps)
        self.conv = nn.ConvTranspose2d(channels, channels, kernel_size=2, stride=2)

    def forward(self, grid: Tensor) -> Tensor:  # [B, h, w, C] → [B, 2h, 2w, C]
        return self.conv(self.norm(grid).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


def build_generation_modules(config: LavidaConfig) -> dict[str, nn.Module]:
    dg, eps, codebook = config.d_model_gen, config.rms_norm_eps, config.vq.num_vq_embeddings
    return {
        "gen_embedding": nn.Sequential(
            nn.Embedding(codebook + config.gen_embedding_extra, dg), RMSNorm(dg, eps), nn.Linear(dg, dg)
        ),
        "gen_embedding_2": nn.Sequential(RMSNorm(dg, eps), nn.Linear(dg, dg)),
        "gen_predictor": nn.Sequential(nn.Linear(dg, dg), RMSNorm(dg, eps), nn.Linear(dg, codebook)),
        "gen_predictor_2": nn.Sequential(RMSNorm(dg, eps), nn.Linear(dg, dg)),
        "downsample_gen": Downsample2D(dg, eps),
        "upsample_gen": Upsample2D(dg, eps),
    }


def build_vqvae(config: LavidaConfig) -> VQModel:
    vq = config.vq
    n = len(vq.block_out_channels)
    vqvae = VQModel(
        in_channels=vq.in_channels,
        out_channels=vq.out_channels,
        down_block_types=("DownEncoderBlock2D",) * n,
        up_block_types=("UpDecoderBlock2D",) * n,
        block_out_channels=vq.block_out_channels,
        layers_per_block=vq.layers_per_block,
        latent_channels=vq.latent_channels,
        num_vq_embeddings=vq.num_vq_embeddings,
        norm_num_groups=vq.norm_num_groups,
        sample_size=vq.image_size,
        mid_block_add_attention=vq.mid_block_add_attention,
    )
    if vq.encode_cells:  # absent from upstream configs, where it is False
        vqvae.register_to_config(encode_cells=True)
    return vqvae


def vq_latents(vqvae: VQModel, pixels: Tensor) -> Tensor:
    """Images in [-1, 1], [B, 3, S, S] → pre-quantization latents [B, C, S/f, S/f], each f x f cell encoded alone
    when the tokenizer was built with `encode_cells`."""
    if not vqvae.config.get("encode_cells", False):
        return vqvae.encode(pixels).latents
    f = 2 ** (len(vqvae.config.block_out_channels) - 1)
    batch, channels, height, width = pixels.shape
    rows, cols = height // f, width // f
    cells = pixels.reshape(batch, channels, rows, f, cols, f).permute(0, 2, 4, 1, 3, 5)
    latents = vqvae.encode(cells.reshape(batch * rows * cols, channels, f, f)).latents  # [B*rows*cols, C, 1, 1]
    return latents.reshape(batch, rows, cols, -1).permute(0, 3, 1, 2)


@torch.no_grad()
def vq_encode(vqvae: VQModel, pixels: Tensor) -> Tensor:
    """Images in [-1, 1], [B, 3, S, S] → VQ ids [B, S/f, S/f]."""
    latents = vq_latents(vqvae, pixels)
    _, _, (_, _, indices) = vqvae.quantize(latents)
    return indices.reshape(latents.shape[0], latents.shape[2], latents.shape[3])


@torch.no_grad()
def vq_decode(vqvae: VQModel, ids: Tensor) -> Tensor:
    """VQ ids [B, h, w] → images in [-1, 1], [B, 3, h*f, w*f]."""
    batch, h, w = ids.shape
    channels = vqvae.quantize.embedding.weight.shape[1]
    quant = vqvae.quantize.get_codebook_entry(ids.reshape(batch, -1), (batch, h, w, channels))
    return vqvae.decode(quant, force_not_quantize=True).sample.clamp(-1, 1)


def grid_side(num_tokens: int) -> int:
    side = math.isqrt(num_tokens)
    if side * side != num_tokens:
        raise ValueError(f"{num_tokens} VQ tokens do not form a square grid")
    return side
