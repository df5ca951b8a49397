"""LLaDA backbone with the Elastic-MoT generation branch (LaViDa-O).

A bidirectional transformer: RMSNorm, SwiGLU, RoPE, no causal mask, untied LM head. Every block also holds a
narrower generation branch (`*_vision` weights, width d_model_gen) used by image tokens. Both branches project
to the same attention heads; the attention output projection `attn_out` is shared and its output is truncated
to d_model_gen for image tokens. Image hidden states travel through the layer stack zero-padded to d_model so
one tensor carries the whole mixed sequence; routing is a `where` on the modality mask. Blocks with
layer_id > dual_tower_layers ("split" blocks) let each token attend only to keys of its own modality.

Module names equal the upstream checkpoint's (`transformer.wte`, `transformer.blocks.{i}.q_proj`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import LavidaConfig


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(size))

    def forward(self, x: Tensor) -> Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rope_tables(positions: Tensor, head_dim: int, theta: float) -> tuple[Tensor, Tensor]:
    """cos/sin tables [B, 1, L, head_dim] for integer positions [B, L], computed in float32."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=positions.device, dtype=torch.float32) / head_dim))
    freqs = positions.float()[..., None] * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)[:, None]
    return emb.cos(), emb.sin()


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return (x.float() * cos + rotated.float() * sin).to(x.dtype)


@dataclass
class PrefixCache:
    """Keys/values of a prompt, reused by every denoising step (LaViDa's prefix KV cache).

    keys/values: per layer [B, n_kv_heads, P, head_dim] (keys after RoPE); gen_mask/key_valid: [B, P].
    """

    keys: list[Tensor]
    values: list[Tensor]
    gen_mask: Tensor
    key_valid: Tensor

    @property
    def length(self) -> int:
        return self.gen_mask.shape[1]

    def repeat(self, times: int) -> "PrefixCache":
        """The cache for `times` copies of the batch stacked along the batch axis (copy-major), e.g. several
        canvases per prompt; gradients flow back into the one prompt pass."""
        grow = lambda t: t.repeat(times, *([1] * (t.dim() - 1)))
        return PrefixCache(
            [grow(k) for k in self.keys], [grow(v) for v in self.values], grow(self.gen_mask), grow(self.key_valid)
        )

    def join(self, later: "PrefixCache", hidden: Tensor | None = None) -> "PrefixCache":
        """This cache followed by `later` (keys of tokens after it); `hidden` [B, later.length] marks keys of
        `later` that queries must not see (Fast-dLLM's dual cache hides the block being decoded, whose fresh
        keys each step computes anew)."""
        valid = later.key_valid if hidden is None else later.key_valid & ~hidden
        return PrefixCache(
            [torch.cat(p, dim=2) for p in zip(self.keys, later.keys)],
            [torch.cat(p, dim=2) for p in zip(self.values, later.values)],
            torch.cat((self.gen_mask, later.gen_mask), dim=1),
            torch.cat((self.key_valid, valid), dim=1),
        )


class LLaDABlock(nn.Module):
    def __init__(self, config: LavidaConfig, layer_id: int) -> None:
        super().__init__()
        d, dg, kv = config.d_model, config.d_model_gen, config.n_kv_heads * config.head_dim
        self.layer_id = layer_id
        self.n_heads, self.n_kv_heads, self.head_dim = config.n_heads, config.n_kv_heads, config.head_dim
        self.d_model_gen = dg
        self.split = config.is_split_layer(layer_id)
        eps = config.rms_norm_eps
        self.attn_norm, self.ff_norm = RMSNorm(d, eps), RMSNorm(d, eps)
        self.q_proj, self.k_proj, self.v_proj = (
            nn.Linear(d, d, bias=False),
            nn.Linear(d, kv, bias=False),
            nn.Linear(d, kv, bias=False),
        )
        self.attn_out = nn.Linear(d, d, bias=False)
        self.ff_proj = nn.Linear(d, config.mlp_hidden_size, bias=False)
        self.up_proj = nn.Linear(d, config.mlp_hidden_size, bias=False)
        self.ff_out = nn.Linear(config.mlp_hidden_size, d, bias=False)
        self.dual_tower = config.dual_tower
        if config.dual_tower:
            self.attn_norm_vision, self.ff_norm_vision = RMSNorm(dg, eps), RMSNorm(dg, eps)
            self.q_proj_vision = nn.Linear(dg, d, bias=False)
            self.k_proj_vision = nn.Linear(dg, kv, bias=False)
            self.v_proj_vision = nn.Linear(dg, kv, bias=False)
            self.ff_proj_vision = nn.Linear(dg, config.mlp_hidden_size_gen, bias=False)
            self.up_proj_vision = nn.Linear(dg, config.mlp_hidden_size_gen, bias=False)
            self.ff_out_vision = nn.Linear(config.mlp_hidden_size_gen, dg, bias=False)

    def qkv(self, x: Tensor, gen_mask: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
        """Queries, keys and values [B, L, heads * hd] of both branches, routed by `gen_mask` (None: text only)."""
        h = self.attn_norm(x)
        q, k, v = self.q_proj(h), self.k_proj(h), self.v_proj(h)
        if gen_mask is not None:
            hg = self.attn_norm_vision(x[..., : self.d_model_gen])
            m = gen_mask[..., None]
            q = torch.where(m, self.q_proj_vision(hg), q)
            k = torch.where(m, self.k_proj_vision(hg), k)
            v = torch.where(m, self.v_proj_vision(hg), v)
        return q, k, v

    def forward(
        self,
        x: Tensor,
        gen_mask: Tensor | None,
        rope: tuple[Tensor, Tensor],
        attn_mask: Tensor,
        past: tuple[Tensor, Tensor] | None,
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        batch, length, _ = x.shape
        q, k, v = self.qkv(x, gen_mask)
        q = q.view(batch, length, self.n_heads, self.head_dim).transpose(1, 2)
        k = k.view(batch, length, self.n_kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(batch, length, self.n_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rope(q, *rope), apply_rope(k, *rope)
        present = (k, v)
        if past is not None:
            k, v = torch.cat((past[0], k), dim=2), torch.cat((past[1], v), dim=2)
        if self.n_kv_heads != self.n_heads:
            rep = self.n_heads // self.n_kv_heads
            k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask[:, None])
        att = self.attn_out(att.transpose(1, 2).reshape(batch, length, -1))
        return self.feed_forward(x, att, gen_mask), present

    def feed_forward(self, x: Tensor, att: Tensor, gen_mask: Tensor | None) -> Tensor:
        """The block's output from its input `x` and attention output `att`: residuals and SwiGLU per branch."""
        text = x + att
        h = self.ff_norm(text)
        text = text + self.ff_out(F.silu(self.ff_proj(h)) * self.up_proj(h))
        if gen_mask is None:
            return text
        dg = self.d_model_gen
        gen = x[..., :dg] + att[..., :dg]
        hg = self.ff_norm_vision(gen)
        gen = gen + self.ff_out_vision(F.silu(self.ff_proj_vision(hg)) * self.up_proj_vision(hg))
        gen = F.pad(gen, (0, x.shape[-1] - dg))
        return torch.where(gen_mask[..., None], gen, text)


def attention_masks(
    gen_q: Tensor, gen_k: Tensor, key_valid: Tensor, prefix_len: int | None, past_len: int
) -> tuple[Tensor, Tensor]:
    """Boolean [B, Lq, Lk] masks (True = may attend) for joint and split blocks.

    prefix_len (uncached forward only): prompt queries see only prompt keys, answer queries see everything;
    this is exactly what the prefix cache computes. past_len: keys before the queries (cached prompt).
    """
    lq, lk = gen_q.shape[1], gen_k.shape[1]
    joint = key_valid[:, None, :].expand(-1, lq, -1)
    if prefix_len is not None:
        q_pos = torch.arange(lq, device=gen_q.device)[:, None] + past_len
        k_pos = torch.arange(lk, device=gen_q.device)[None, :]
        joint = joint & ((k_pos < prefix_len) | (q_pos >= prefix_len))
    split = joint & (gen_q[:, :, None] == gen_k[:, None, :])
    return joint, split


class LLaDATransformer(nn.Module):
    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.embedding_size, config.d_model)
        self.blocks = nn.ModuleList(LLaDABlock(config, i) for i in range(config.n_layers))
        self.ln_f = RMSNorm(config.d_model, config.rms_norm_eps)
        self.ff_out = nn.Linear(config.d_model, config.embedding_size, bias=False)

    def forward(
        self,
        embeds: Tensor,
        gen_mask: Tensor | None = None,
        key_valid: Tensor | None = None,
        position_ids: Tensor | None = None,
        prefix_len: int | None = None,
        past: PrefixCache | None = None,
        use_cache: bool = False,
    ) -> tuple[Tensor, PrefixCache | None]:
        """Runs the blocks over `embeds` [B, L, d_model] and returns the final hidden states (before ln_f).

        gen_mask [B, L]: True for tokens routed through the generation branch (None: text only).
        key_valid [B, L]: False for padding keys. With `past`, the queries follow the cached prompt.
        use_cache: also return the queries' own keys/values (with `past`, not the past's: see PrefixCache.join).
        """
        batch, length, _ = embeds.shape
        device = embeds.device
        past_len = past.length if past is not None else 0
        if key_valid is None:
            key_valid = torch.ones(batch, length, dtype=torch.bool, device=device)
        if position_ids is None:
            position_ids = (torch.arange(length, device=device) + past_len)[None].expand(batch, -1)
        gen_q = gen_mask if gen_mask is not None else torch.zeros(batch, length, dtype=torch.bool, device=device)
        gen_k, valid_k = gen_q, key_valid
        if past is not None:
            gen_k = torch.cat((past.gen_mask, gen_q), dim=1)
            valid_k = torch.cat((past.key_valid, key_valid), dim=1)
        joint, split = attention_masks(gen_q, gen_k, valid_k, prefix_len, past_len)
        rope = rope_tables(position_ids, self.config.head_dim, self.config.rope_theta)

        x = embeds
        presents: list[tuple[Tensor, Tensor]] = []
        for i, block in enumerate(self.blocks):
            layer_past = (past.keys[i], past.values[i]) if past is not None else None
            x, present = block(x, gen_mask, rope, split if block.split else joint, layer_past)
            presents.append(present)
        cache = None
        if use_cache:
            cache = PrefixCache([p[0] for p in presents], [p[1] for p in presents], gen_q, key_valid)
        return x, cache

    def text_logits(self, hidden: Tensor) -> Tensor:
        return self.ff_out(self.ln_f(hidden))
