"""Named configurations: `tiny` (CPU-trainable, a few million parameters), `tiny-local-vq` and `tiny-cell-vq` (the
same with a local image tokenizer: no mid-block attention, or an encoder that sees one cell at a time) and
`lavida-o-10b` (upstream dims)."""

from __future__ import annotations

import dataclasses

from .config import LavidaConfig, VisionConfig, VQConfig


def lavida_o_10b() -> LavidaConfig:
    """The released LaViDa-O-v1.0 configuration (the base of LaViDa-R1)."""
    return LavidaConfig()


def tiny() -> LavidaConfig:
    """lavida-r1-tiny: the same architecture at a few million parameters.

    Vocabulary layout: ids 0..499 are ordinary text tokens, 500..508 the special tokens, 512..1536 the 1025
    LOC tokens and 1537..1540 the box tokens, so the LOC block sits at the same place relative to the special
    tokens as upstream.
    """
    return LavidaConfig(
        d_model=160,
        d_model_gen=80,
        n_layers=6,
        n_heads=5,
        n_kv_heads=5,
        mlp_hidden_size=448,
        mlp_hidden_size_gen=224,
        dual_tower_layers=2,
        vocab_size=1541,
        embedding_size=1541,
        max_sequence_length=1024,
        rope_theta=10000.0,
        bos_token_id=500,
        eos_token_id=501,
        pad_token_id=501,
        eot_token_id=502,
        start_header_id=503,
        end_header_id=504,
        mask_token_id=505,
        image_token_id=506,
        gen_token_id=507,
        edit_token_id=508,
        loc_token_offset=512,
        box_start_id=1537,
        box_end_id=1538,
        loc_begin_id=1539,
        loc_end_id=1540,
        vision=VisionConfig(
            hidden_size=96,
            intermediate_size=256,
            num_hidden_layers=3,
            num_attention_heads=4,
            image_size=64,
            patch_size=8,
        ),
        mm_hidden_size=96,
        mm_spatial_pool_out_channels=96,
        image_grid_pinpoints=((1, 2), (2, 1), (2, 2), (2, 3), (2, 4)),
        # Narrow full-resolution blocks (flat-colour images need little width there; 2.5x faster on CPU and
        # small enough to commit) and 1024 codes (world edit images hold a few thousand distinct 8x8 cells).
        vq=VQConfig(
            block_out_channels=(16, 32, 32, 64),
            layers_per_block=1,
            latent_channels=16,
            num_vq_embeddings=1024,
            norm_num_groups=8,
            image_size=64,
        ),
        gen_embedding_extra=16,
        image_embedding_rms=0.02,  # the text embeddings' init scale (std 0.02)
    )


def tiny_local_vq() -> LavidaConfig:
    """`tiny` with a local image tokenizer: no mid-block attention, so an edit that leaves a region unchanged can
    keep its codes (train it with `vq_train --preset tiny-local-vq --locality-weight W`)."""
    config = tiny()
    config.vq = dataclasses.replace(config.vq, mid_block_add_attention=False)
    return config


def tiny_cell_vq() -> LavidaConfig:
    """`tiny` with a tokenizer whose encoder sees each 8x8 cell alone: an edit that leaves a cell unchanged keeps its
    code by construction, with no locality term (train it with `vq_train --preset tiny-cell-vq`)."""
    config = tiny()
    config.vq = dataclasses.replace(config.vq, encode_cells=True)
    return config


PRESETS = {"tiny": tiny, "tiny-local-vq": tiny_local_vq, "tiny-cell-vq": tiny_cell_vq, "lavida-o-10b": lavida_o_10b}


def get_preset(name: str) -> LavidaConfig:
    try:
        config = PRESETS[name]()
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}") from None
    config.validate()
    return config
