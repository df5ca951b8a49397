"""Per-graph I/O contract: names, dynamic axes and example inputs for tracing (mirrored in models/README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn

from .. import prompts
from ..model import LavidaConfig, LavidaForMaskedDiffusion
from ..model.vision import pooled_side
from .graphs import BackboneGraph, TextBackboneGraph, VisionGraph, VQDecodeGraph, VQEncodeGraph


@dataclass(frozen=True)
class GraphSpec:
    name: str
    build: Callable[[LavidaForMaskedDiffusion], nn.Module]
    inputs: dict[str, dict[int, str]]  # input name → dynamic axes
    outputs: dict[str, dict[int, str]]  # output name → dynamic axes
    example: Callable[[LavidaConfig], tuple[Tensor, ...]]
    transformer: bool = False  # run ONNX Runtime's transformer optimizer at export (onnx_io)

    @property
    def file(self) -> str:
        return f"{self.name}.onnx"


BATCH, LENGTH, PAST = "batch", "length", "past_length"


def vision_example(c: LavidaConfig) -> tuple[Tensor, ...]:
    views, tokens = 3, pooled_side(c) ** 2
    size = c.vision.image_size
    return torch.randn(views, 3, size, size), torch.tensor([0, views * tokens, tokens + 1, 5])


def backbone_example(c: LavidaConfig) -> tuple[Tensor, ...]:
    """Two rows with every kind of slot and a non-empty past, so no branch is traced away."""
    batch, past, grid = 2, 3, c.vq.grid_size
    slots = prompts.vq_slots(c)
    row = [c.image_token_id] * 2 + [c.edit_token_id] * slots + [c.gen_token_id] * slots + [7, c.mask_token_id, 9]
    ids = torch.tensor([row] * batch)
    length = ids.shape[1]
    layers, heads, dim = c.n_layers, c.n_kv_heads, c.head_dim
    return (
        ids,
        torch.arange(past, past + length).repeat(batch, 1),
        torch.ones(batch, past + length, dtype=torch.long),
        torch.tensor([[False, True, False]] * batch),
        torch.randn(layers, batch, heads, past, dim),
        torch.randn(layers, batch, heads, past, dim),
        torch.randn(batch, 2, c.d_model),
        torch.randint(0, c.vq.num_vq_embeddings, (batch, grid, grid)),
        torch.full((batch, grid, grid), c.image_mask_token_id),
        torch.tensor([[length - 2, length - 1]] * batch),
        torch.tensor([0, c.embedding_size]),
    )


def text_backbone_example(c: LavidaConfig) -> tuple[Tensor, ...]:
    """Two rows of image and text tokens over a past holding image-branch keys (split blocks must hide them)."""
    batch, past = 2, 3
    ids = torch.tensor([[c.image_token_id] * 2 + [7, c.mask_token_id, 9]] * batch)
    length = ids.shape[1]
    layers, heads, dim = c.n_layers, c.n_kv_heads, c.head_dim
    return (
        ids,
        torch.arange(past, past + length).repeat(batch, 1),
        torch.ones(batch, past + length, dtype=torch.long),
        torch.tensor([[False, True, False]] * batch),
        torch.randn(layers, batch, heads, past, dim),
        torch.randn(layers, batch, heads, past, dim),
        torch.randn(batch, 2, c.d_model),
        torch.tensor([[length - 2, length - 1]] * batch),
        torch.tensor([0, c.embedding_size]),
    )


def vq_encode_example(c: LavidaConfig) -> tuple[Tensor, ...]:
    return (torch.rand(1, 3, c.vq.image_size, c.vq.image_size) * 2 - 1,)


def vq_decode_example(c: LavidaConfig) -> tuple[Tensor, ...]:
    return (torch.randint(0, c.vq.num_vq_embeddings, (1, c.vq.grid_size, c.vq.grid_size)),)


GRAPHS: tuple[GraphSpec, ...] = (
    GraphSpec(
        "vision",
        VisionGraph,
        {"pixel_values": {0: "views"}, "pack_index": {0: "image_tokens"}},
        {"image_features": {0: "image_tokens"}},
        vision_example,
    ),
    GraphSpec(
        "backbone",
        BackboneGraph,
        {
            "input_ids": {0: BATCH, 1: LENGTH},
            "position_ids": {0: BATCH, 1: LENGTH},
            "attention_mask": {0: BATCH, 1: "keys"},
            "past_gen_mask": {0: BATCH, 1: PAST},
            "past_keys": {1: BATCH, 3: PAST},
            "past_values": {1: BATCH, 3: PAST},
            "image_features": {0: BATCH, 1: "image_tokens"},
            "edit_vq": {0: BATCH, 1: "edit_height", 2: "edit_width"},
            "gen_vq": {0: BATCH, 1: "gen_height", 2: "gen_width"},
            "text_positions": {0: BATCH, 1: "text_length"},
            "vocab_range": {},
        },
        {
            "text_ids": {0: BATCH, 1: "text_length"},
            "text_confidence": {0: BATCH, 1: "text_length"},
            "text_logits": {0: BATCH, 1: "text_length"},
            "vq_ids": {0: BATCH, 1: "vq_tokens"},
            "vq_confidence": {0: BATCH, 1: "vq_tokens"},
            "vq_logits": {0: BATCH, 1: "vq_tokens"},
            "present_keys": {1: BATCH, 3: LENGTH},
            "present_values": {1: BATCH, 3: LENGTH},
            "present_gen_mask": {0: BATCH, 1: LENGTH},
        },
        backbone_example,
        transformer=True,
    ),
    GraphSpec(
        "backbone_text",
        TextBackboneGraph,
        {
            "input_ids": {0: BATCH, 1: LENGTH},
            "position_ids": {0: BATCH, 1: LENGTH},
            "attention_mask": {0: BATCH, 1: "keys"},
            "past_gen_mask": {0: BATCH, 1: PAST},
            "past_keys": {1: BATCH, 3: PAST},
            "past_values": {1: BATCH, 3: PAST},
            "image_features": {0: BATCH, 1: "image_tokens"},
            "text_positions": {0: BATCH, 1: "text_length"},
            "vocab_range": {},
        },
        {
            "text_ids": {0: BATCH, 1: "text_length"},
            "text_confidence": {0: BATCH, 1: "text_length"},
            "text_logits": {0: BATCH, 1: "text_length"},
            "present_keys": {1: BATCH, 3: LENGTH},
            "present_values": {1: BATCH, 3: LENGTH},
            "present_gen_mask": {0: BATCH, 1: LENGTH},
        },
        text_backbone_example,
        transformer=True,
    ),
    GraphSpec(
        "vq_encode",
        VQEncodeGraph,
        {"pixels": {0: BATCH}},
        {"vq_ids": {0: BATCH, 1: "grid_height", 2: "grid_width"}},
        vq_encode_example,
    ),
    GraphSpec(
        "vq_decode",
        VQDecodeGraph,
        {"vq_ids": {0: BATCH, 1: "grid_height", 2: "grid_width"}},
        {"pixels": {0: BATCH, 2: "height", 3: "width"}},
        vq_decode_example,
    ),
)
