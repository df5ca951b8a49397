"""Configuration of the LaViDa-O / LaViDa-R1 architecture.

Field names follow the upstream `config.json` (LLaDA/OLMo names plus the LLaVA `mm_*` fields) so that an
upstream checkpoint's config maps onto this class field by field. Vision-tower and VQ settings that upstream
keeps in separate pretrained folders (SigLIP, the Meissonic VQ-VAE) are nested dataclasses here.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class VisionConfig:
    """SigLIP vision tower (transformers' SiglipVisionConfig fields).

    `num_hidden_layers` counts the layers actually kept: upstream drops the last encoder layer and the head and
    reads the output of the remaining last layer, which is the "second-to-last layer" of the full tower.
    """

    hidden_size: int = 1152
    intermediate_size: int = 4304
    num_hidden_layers: int = 26
    num_attention_heads: int = 16
    image_size: int = 384
    patch_size: int = 14
    layer_norm_eps: float = 1e-6


@dataclass
class VQConfig:
    """Image tokenizer (diffusers' VQModel constructor arguments)."""

    in_channels: int = 3
    out_channels: int = 3
    block_out_channels: tuple[int, ...] = (128, 256, 256, 512, 768)
    layers_per_block: int = 2
    latent_channels: int = 64
    num_vq_embeddings: int = 8192
    norm_num_groups: int = 32
    image_size: int = 1024
    # False drops the self-attention of the encoder's and decoder's mid blocks: a code then depends on a
    # neighbourhood of its cell (plus GroupNorm statistics) instead of the whole image.
    mid_block_add_attention: bool = True
    # True runs the encoder on each f x f cell alone (the cells batched), so a code depends on its cell's pixels
    # only: a cell an edit leaves unchanged keeps its code exactly. Recorded in vqvae/config.json beside diffusers'
    # own settings so a tokenizer trained one way cannot be loaded the other. The decoder still sees the whole grid.
    encode_cells: bool = False

    @property
    def downsample_factor(self) -> int:
        return 2 ** (len(self.block_out_channels) - 1)

    @property
    def grid_size(self) -> int:
        """VQ tokens per side of a generated image."""
        return self.image_size // self.downsample_factor


@dataclass
class LavidaConfig:
    # --- LLaDA backbone (upstream names) ---
    d_model: int = 4096
    d_model_gen: int = 2048
    n_layers: int = 32
    n_heads: int = 32
    n_kv_heads: int = 32
    mlp_hidden_size: int = 12288
    mlp_hidden_size_gen: int = 8192
    dual_tower: bool = True
    # Blocks with layer_id > dual_tower_layers attend within their modality only (upstream uses `>`,
    # so 17 joint and 15 split blocks for 16/32; the paper describes 16/16).
    dual_tower_layers: int = 16
    enc_use_image_branch: bool = True
    downsample: bool = True
    vocab_size: int = 127378
    embedding_size: int = 127378
    max_sequence_length: int = 8192
    rope_theta: float = 500000.0
    rms_norm_eps: float = 1e-5

    # --- special token ids ---
    mask_token_id: int = 126336  # <|mdm_mask|>
    eos_token_id: int = 126081  # <|endoftext|>, also padding
    pad_token_id: int = 126081
    eot_token_id: int = 126348  # <|eot_id|>
    bos_token_id: int = 126080  # <|startoftext|>
    start_header_id: int = 126346  # <|start_header_id|>
    end_header_id: int = 126347  # <|end_header_id|>
    # Expanded in the prompt to as many copies as the image has SigLIP features (upstream uses -200 once and
    # expands in Python; a real id keeps the merge inside exported graphs).
    image_token_id: int = 126093
    gen_token_id: int = 126089  # <|reserved_token_5|>: image-generation slot
    edit_token_id: int = 126090  # <|reserved_token_6|>: edit-source VQ slot
    loc_token_offset: int = 126349  # <LOC_0>; <LOC_i> = offset + i
    num_loc_bins: int = 1025
    box_start_id: int = 127374  # <box_p>
    box_end_id: int = 127375  # </box_p>
    loc_begin_id: int = 127376  # <LOC_BEGIN>
    loc_end_id: int = 127377  # <LOC_END>

    # --- understanding vision path ---
    vision: VisionConfig = field(default_factory=VisionConfig)
    mm_hidden_size: int = 1152
    mm_spatial_pool_stride: int = 2
    mm_spatial_pool_out_channels: int = 1152
    # Anyres resolutions as multiples of the vision image size (upstream: 384x768, 768x384, ... pixels).
    image_grid_pinpoints: tuple[tuple[int, int], ...] = ((1, 2), (2, 1), (2, 2), (3, 1), (1, 3))

    # --- generation path ---
    vq: VQConfig = field(default_factory=VQConfig)
    # Extra rows in the generation embedding table beyond the codebook (upstream: num_vq_embeddings + 256).
    gen_embedding_extra: int = 256
    # Our extension, off upstream: each projected image embedding rescaled to this RMS. The pre-norm LM is blind
    # to the scale of its inputs, so nothing else stops a vision tower trained from scratch from outgrowing the
    # text embeddings by 100x (then the blocks cannot update image tokens). Parameter-free; in the vision graph.
    image_embedding_rms: float | None = None

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @property
    def image_mask_token_id(self) -> int:
        """Mask id of the VQ canvas (upstream: 8193 for an 8192 codebook)."""
        return self.vq.num_vq_embeddings + 1

    def loc_token(self, bin_index: int) -> int:
        return self.loc_token_offset + bin_index

    def is_split_layer(self, layer_id: int) -> bool:
        return self.dual_tower and layer_id > self.dual_tower_layers

    def validate(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(f"n_heads {self.n_heads} is not a multiple of n_kv_heads {self.n_kv_heads}")
        if self.d_model_gen > self.d_model:
            raise ValueError("d_model_gen must not exceed d_model (gen states are zero-padded to d_model)")
        if self.embedding_size < self.vocab_size:
            raise ValueError("embedding_size must be at least vocab_size")
        if self.loc_token_offset + self.num_loc_bins > self.vocab_size:
            raise ValueError("LOC tokens fall outside the vocabulary")
        ids = [
            self.mask_token_id,
            self.eos_token_id,
            self.eot_token_id,
            self.image_token_id,
            self.gen_token_id,
            self.edit_token_id,
            self.loc_begin_id,
            self.loc_end_id,
        ]
        if any(not 0 <= i < self.vocab_size for i in ids):
            raise ValueError(f"special token ids must lie in [0, {self.vocab_size}): {ids}")
        if self.downsample and self.vq.grid_size % 2:
            raise ValueError("the 2x2 downsampling needs an even VQ grid")

    # --- (de)serialisation ---
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LavidaConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown LavidaConfig fields: {unknown}")
        values = dict(data)
        if "vision" in values:
            values["vision"] = VisionConfig(**values["vision"])
        if "vq" in values:
            vq = dict(values["vq"])
            vq["block_out_channels"] = tuple(vq["block_out_channels"])
            values["vq"] = VQConfig(**vq)
        if "image_grid_pinpoints" in values:
            values["image_grid_pinpoints"] = tuple(tuple(p) for p in values["image_grid_pinpoints"])
        config = cls(**values)
        config.validate()
        return config

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "LavidaConfig":
        return cls.from_dict(json.loads(text))
