"""ONNX Runtime contrib ops (domain com.microsoft) as traceable functions: each computes the model's own PyTorch
ops when traced and exports as one fused node, which onnxruntime runs on the CPU and CUDA providers alike.

- `rotary`: RotaryEmbedding (non-interleaved halves, as `model.llada.apply_rope`) from a cos/sin table indexed by
  the position ids;
- `attention`: MultiHeadAttention, bidirectional (`unidirectional` 0), keys and values already laid out per head
  (the prefix cache concatenated before the current tokens' own), an int32 key mask [B, T] or [B, S, T].

GroupQueryAttention is not used: its keys are a contiguous run per row (`seqlens_k`), which cannot express a
left-padded prompt or the dual cache's hidden block; MultiHeadAttention's key mask can.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.onnx import symbolic_helper

from ..model.llada import apply_rope, rope_tables

# Added to the scores of masked keys: exp underflows to exactly 0 next to any unmasked key, as -inf does in torch.
MASK_FILTER_VALUE = -1e9


def rope_cache(max_positions: int, head_dim: int, theta: float) -> tuple[Tensor, Tensor]:
    """RotaryEmbedding's cos/sin tables [max_positions, head_dim / 2]: `rope_tables` at every position."""
    cos, sin = rope_tables(torch.arange(max_positions)[None], head_dim, theta)
    return cos[0, 0, :, : head_dim // 2].contiguous(), sin[0, 0, :, : head_dim // 2].contiguous()


class _SplitHeads(torch.autograd.Function):
    """[B, S, heads * hd] → [B, heads, S, hd] as one Reshape to a constant [0, 0, heads, -1] (0 copies the axis)
    and a Transpose, instead of the tracer's Shape/Gather/Unsqueeze/Concat chain for the dynamic axes."""

    @staticmethod
    def forward(ctx, x: Tensor, heads: int) -> Tensor:
        return x.view(x.shape[0], x.shape[1], heads, -1).transpose(1, 2)

    @staticmethod
    def symbolic(g, x, heads):
        shape = g.op("Constant", value_t=torch.tensor([0, 0, heads, -1]))
        return g.op("Transpose", g.op("Reshape", x, shape), perm_i=[0, 2, 1, 3])


def split_heads(x: Tensor, heads: int) -> Tensor:
    """[B, S, heads * hd] → [B, heads, S, hd]"""
    return _SplitHeads.apply(x, heads)


def _merge_heads(x: Tensor) -> Tensor:
    """[B, heads, S, hd] → [B, S, heads * hd]"""
    return x.transpose(1, 2).reshape(x.shape[0], x.shape[2], -1)


class _Rotary(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, position_ids: Tensor, cos: Tensor, sin: Tensor, heads: int) -> Tensor:
        cos, sin = (
            torch.cat((cos, cos), dim=-1)[position_ids][:, None],
            torch.cat((sin, sin), dim=-1)[position_ids][:, None],
        )
        return _merge_heads(apply_rope(split_heads(x, heads), cos, sin))

    @staticmethod
    def symbolic(g, x, position_ids, cos, sin, heads):
        out = g.op("com.microsoft::RotaryEmbedding", x, position_ids, cos, sin, interleaved_i=0)
        out.setType(x.type())
        return out


class _Attention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, query: Tensor, keys: Tensor, values: Tensor, key_mask: Tensor, heads: int) -> Tensor:
        mask = key_mask.bool()
        mask = mask[:, None, None] if mask.dim() == 2 else mask[:, None]
        return _merge_heads(F.scaled_dot_product_attention(split_heads(query, heads), keys, values, attn_mask=mask))

    @staticmethod
    def symbolic(g, query, keys, values, key_mask, heads):
        no_bias = symbolic_helper._optional_input_placeholder_tensor(g)
        out = g.op(
            "com.microsoft::MultiHeadAttention",
            query,
            keys,
            values,
            no_bias,
            key_mask,
            num_heads_i=heads,
            unidirectional_i=0,
            mask_filter_value_f=MASK_FILTER_VALUE,
        )
        out.setType(query.type())
        return out


def rotary(x: Tensor, position_ids: Tensor, cos: Tensor, sin: Tensor, heads: int) -> Tensor:
    """RoPE on [B, S, heads * hd] at integer positions [B, S] (each below the tables' length)."""
    return _Rotary.apply(x, position_ids, cos, sin, heads)


def attention(query: Tensor, keys: Tensor, values: Tensor, key_mask: Tensor, heads: int) -> Tensor:
    """Bidirectional attention: query [B, S, heads * hd], keys/values [B, heads, T, hd], key_mask int32 [B, T] or
    [B, S, T] (1 = may attend) → [B, S, heads * hd]."""
    return _Attention.apply(query, keys, values, key_mask, heads)
