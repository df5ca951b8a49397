"""The LaViDa-O / LaViDa-R1 model: vision path + LLaDA/Elastic-MoT backbone + generation path.

`LavidaForMaskedDiffusion.model` is `LavidaModel`, whose attribute names reproduce the upstream checkpoint keys
(`model.transformer.blocks.0.q_proj.weight`, `model.vision_tower.vision_tower.vision_model...`,
`model.mm_projector.0.weight`, `model.gen_embedding.0.weight`, `model.vqvae...`).

A mixed sequence is a row of token ids in which placeholder ids stand for non-text inputs, filled in order:
`image_token_id` positions take the packed SigLIP features, `edit_token_id` positions the edit source's VQ
embeddings and `gen_token_id` positions the generation canvas's VQ embeddings (both downsampled 2x2, both
routed through the generation branch).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .config import LavidaConfig
from .generation import build_generation_modules, build_vqvae
from .image_processing import AnyresImage
from .llada import LLaDATransformer, PrefixCache
from .vision import SiglipTower, SpatialPool, build_projector, pack_anyres


@dataclass
class LavidaOutput:
    logits: Tensor  # [B, L, embedding_size] text logits (rows at image slots are unused)
    image_logits: Tensor | None  # [B, H*W, codebook] logits of the generation canvas
    cache: PrefixCache | None
    hidden: Tensor  # [B, L, d_model] final hidden states (gen positions zero-padded)


class LavidaModel(nn.Module):
    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = LLaDATransformer(config)
        self.vision_tower = SiglipTower(config)
        self.vision_resampler = SpatialPool(config)
        self.mm_projector = build_projector(config)
        self.image_newline = nn.Parameter(torch.zeros(config.d_model))
        for name, module in build_generation_modules(config).items():
            self.add_module(name, module)
        self.vqvae = build_vqvae(config)


def scatter_in_order(base: Tensor, slots: Tensor, values: Tensor) -> Tensor:
    """Write values[b, k] into the k-th True position of slots[b]; other rows keep `base`.

    base [B, L, D], slots [B, L] bool, values [B, K, D] with K ≥ the slot count of every row.
    Written as a gather so it stays one graph under ONNX export.
    """
    order = (slots.long().cumsum(dim=1) - 1).clamp(min=0)
    picked = torch.gather(values, 1, order[..., None].expand(-1, -1, values.shape[-1]))
    return torch.where(slots[..., None], picked.to(base.dtype), base)


class LavidaForMaskedDiffusion(nn.Module):
    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        self.model = LavidaModel(config)

    # ----- encoders -----
    def encode_views(self, pixel_values: Tensor) -> Tensor:
        """Anyres views [V, 3, S, S] → projected, pooled features [V, T, d_model] (rescaled to
        `image_embedding_rms` when the config sets it)."""
        m = self.model
        features = m.mm_projector(m.vision_resampler(m.vision_tower(pixel_values)))
        rms = self.config.image_embedding_rms
        if rms is None:
            return features
        return features * (rms * torch.rsqrt(features.pow(2).mean(dim=-1, keepdim=True) + 1e-12))

    def encode_image(self, image: AnyresImage) -> Tensor:
        """One preprocessed image → its `<image>` embeddings [N, d_model] (base view, crops, newlines)."""
        return self.encode_packed(self.encode_views(image.pixel_values), image)

    def encode_packed(self, view_features: Tensor, image: AnyresImage) -> Tensor:
        """Encoded views of `image` ([V, T, d_model], e.g. a slice of a batched encode) → its embeddings."""
        return pack_anyres(view_features, image.grid, image.original_size, self.model.image_newline)

    def embed_vq(self, ids: Tensor) -> Tensor:
        """VQ ids [B, H, W] (image mask id allowed) → LM inputs [B, H/2*W/2, d_model_gen]."""
        m = self.model
        x = m.gen_embedding(ids)
        if self.config.downsample:
            x = m.downsample_gen(x)
        return m.gen_embedding_2(x).flatten(1, 2)

    def predict_vq(self, hidden: Tensor, side: int) -> Tensor:
        """Gen-branch hidden states [B, n, d_model_gen] of a canvas → VQ logits [B, (side)^2, codebook]."""
        m = self.model
        x = m.gen_predictor_2(hidden)
        if self.config.downsample:
            half = side // 2
            x = m.upsample_gen(x.reshape(x.shape[0], half, half, -1))
        else:
            x = x.reshape(x.shape[0], side, side, -1)
        return m.gen_predictor(x).flatten(1, 2)

    def gen_mask(self, input_ids: Tensor) -> Tensor:
        c = self.config
        mask = input_ids == c.gen_token_id
        if c.enc_use_image_branch:
            mask = mask | (input_ids == c.edit_token_id)
        return mask

    def embed(
        self,
        input_ids: Tensor,
        image_features: Tensor | None = None,
        edit_vq: Tensor | None = None,
        gen_vq: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """Input embeddings of a mixed sequence and its generation-branch mask (None when text only)."""
        c = self.config
        embeds = self.model.transformer.wte(input_ids)
        if image_features is not None:
            embeds = scatter_in_order(embeds, input_ids == c.image_token_id, image_features)
        pad = c.d_model - c.d_model_gen
        for slot_id, vq in ((c.edit_token_id, edit_vq), (c.gen_token_id, gen_vq)):
            if vq is not None:
                values = nn.functional.pad(self.embed_vq(vq), (0, pad))
                embeds = scatter_in_order(embeds, input_ids == slot_id, values)
        gen_mask = self.gen_mask(input_ids)
        return embeds, (gen_mask if (edit_vq is not None or gen_vq is not None) else None)

    def forward(
        self,
        input_ids: Tensor,
        image_features: Tensor | None = None,
        edit_vq: Tensor | None = None,
        gen_vq: Tensor | None = None,
        attention_mask: Tensor | None = None,
        position_ids: Tensor | None = None,
        prefix_len: int | None = None,
        past: PrefixCache | None = None,
        use_cache: bool = False,
    ) -> LavidaOutput:
        """One denoising forward.

        attention_mask [B, L]: 1 for real tokens, 0 for padding keys. prefix_len: uncached prefix-LM masking
        (prompt sees prompt only). past: cached prompt; input_ids are then the answer part only.
        """
        embeds, gen_mask = self.embed(input_ids, image_features, edit_vq, gen_vq)
        key_valid = attention_mask.bool() if attention_mask is not None else None
        hidden, cache = self.model.transformer(embeds, gen_mask, key_valid, position_ids, prefix_len, past, use_cache)
        logits = self.model.transformer.text_logits(hidden)
        image_logits = None
        if gen_vq is not None:
            slots = input_ids == self.config.gen_token_id
            counts = slots.sum(dim=1)
            if bool((counts != counts[0]).any()):
                raise ValueError("every row must hold the same number of generation slots")
            gen_hidden = hidden[slots].reshape(hidden.shape[0], -1, hidden.shape[-1])[..., : self.config.d_model_gen]
            image_logits = self.predict_vq(gen_hidden, gen_vq.shape[1])
        return LavidaOutput(logits, image_logits, cache, hidden)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device
