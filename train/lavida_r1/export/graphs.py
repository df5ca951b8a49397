"""The exported graphs as nn.Modules over a LavidaForMaskedDiffusion's own weights.

Each wrapper reproduces the model's forward with ONNX-friendly ops and the package's I/O contract
(models/README.md): the backbone takes an explicit past (empty for prefill) and returns only what the samplers
need; every placeholder merge happens in-graph; zero-sized inputs (no image, no VQ grid, no past) are allowed.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..model import LavidaForMaskedDiffusion
from ..model.generation import vq_latents
from ..model.llada import attention_masks
from .contrib_ops import attention, rope_cache, rotary, split_heads


def merge_slots(base: Tensor, slots: Tensor, values: Tensor) -> Tensor:
    """`scatter_in_order` that also accepts K = 0 values: a zero row is prepended and non-slot positions
    gather it, so the gather never indexes an empty tensor."""
    values = F.pad(values, (0, 0, 1, 0))
    order = slots.long().cumsum(dim=1) * slots.long()
    picked = torch.gather(values, 1, order[..., None].expand(-1, -1, values.shape[-1]))
    return torch.where(slots[..., None], picked.to(base.dtype), base)


def conv2x2(conv: nn.Conv2d, grid: Tensor) -> Tensor:
    """A 2x2 stride-2 conv on [B, H, W, C] as space-to-depth + matmul (ORT's Conv rejects an empty grid)."""
    b, h, w, c = grid.shape
    patches = grid.reshape(b, h // 2, 2, w // 2, 2, c).permute(0, 1, 3, 5, 2, 4).reshape(b, h // 2, w // 2, c * 4)
    return F.linear(patches, conv.weight.reshape(conv.weight.shape[0], -1), conv.bias)


def conv_transpose2x2(conv: nn.ConvTranspose2d, grid: Tensor) -> Tensor:
    """A 2x2 stride-2 transposed conv on [B, h, w, C] as matmul + depth-to-space."""
    b, h, w, c = grid.shape
    out = conv.weight.shape[1]
    weight = conv.weight.reshape(c, out * 4).t()
    cells = F.linear(grid, weight).reshape(b, h, w, out, 2, 2)
    return cells.permute(0, 1, 4, 2, 5, 3).reshape(b, h * 2, w * 2, out) + conv.bias


class VisionGraph(nn.Module):
    """pixel_values [V, 3, S, S], pack_index [N] → image_features [N, d_model].

    Row i of the output is row pack_index[i] of the table [view features flattened (V*T rows); image_newline],
    so the anyres packing (base view, unpadded crop map, newline per row) is one gather (see anyres.pack_index).
    """

    def __init__(self, model: LavidaForMaskedDiffusion) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values: Tensor, pack_index: Tensor) -> Tensor:
        features = self.model.encode_views(pixel_values)
        table = torch.cat((features.reshape(-1, features.shape[-1]), self.model.model.image_newline[None]), dim=0)
        return table[pack_index]


class FusedBlocks(nn.Module):
    """The transformer blocks as the graphs run them: the model's projections, norms and feed-forward, with
    rotary embedding and attention as ONNX Runtime contrib ops (`contrib_ops`)."""

    def __init__(self, model: LavidaForMaskedDiffusion) -> None:
        super().__init__()
        c = model.config
        self.blocks = model.model.transformer.blocks
        cos, sin = rope_cache(c.max_sequence_length, c.head_dim, c.rope_theta)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(
        self,
        x: Tensor,
        gen_mask: Tensor | None,
        position_ids: Tensor,
        joint: Tensor,
        split: Tensor,
        past_keys: Tensor,
        past_values: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """x [B, L, d_model]; key masks (int32, [B, T] or [B, L, T]) of joint and split blocks → hidden states,
        present keys and values [layers, B, heads, L, hd]."""
        keys, values = [], []
        for i, block in enumerate(self.blocks):
            q, k, v = block.qkv(x, gen_mask)
            q = rotary(q, position_ids, self.cos, self.sin, block.n_heads)
            k = split_heads(rotary(k, position_ids, self.cos, self.sin, block.n_kv_heads), block.n_kv_heads)
            v = split_heads(v, block.n_kv_heads)
            keys.append(k)
            values.append(v)
            k, v = torch.cat((past_keys[i], k), dim=2), torch.cat((past_values[i], v), dim=2)
            if block.n_kv_heads != block.n_heads:
                rep = block.n_heads // block.n_kv_heads
                k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
            att = block.attn_out(attention(q, k, v, split if block.split else joint, block.n_heads))
            x = block.feed_forward(x, att, gen_mask)
        return x, torch.stack(keys), torch.stack(values)


def text_predictions(
    model: LavidaForMaskedDiffusion, hidden: Tensor, text_positions: Tensor, vocab_range: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """text_ids, text_confidence, text_logits at `text_positions`, logits outside `vocab_range` at -inf."""
    transformer = model.model.transformer
    text_hidden = torch.gather(hidden, 1, text_positions[..., None].expand(-1, -1, hidden.shape[-1]))
    vocab = torch.arange(model.config.embedding_size, device=hidden.device)
    allowed = (vocab >= vocab_range[0]) & (vocab < vocab_range[1])
    text_logits = transformer.text_logits(text_hidden).float().masked_fill(~allowed, float("-inf"))
    return (*choose(text_logits), text_logits)


class BackboneGraph(nn.Module):
    """One denoising forward with an explicit prefix cache; with an empty past it is the prefill."""

    def __init__(self, model: LavidaForMaskedDiffusion) -> None:
        super().__init__()
        self.model = model
        self.config = model.config
        self.blocks = FusedBlocks(model)

    def embed_vq(self, ids: Tensor) -> Tensor:
        """VQ ids [B, H, W] → LM inputs [B, H/2*W/2, d_model] (zero-padded from d_model_gen)."""
        m, c = self.model.model, self.config
        x = m.gen_embedding(ids)
        if c.downsample:
            x = conv2x2(m.downsample_gen.conv, m.downsample_gen.norm(x))
        x = m.gen_embedding_2(x)
        return F.pad(x.reshape(x.shape[0], x.shape[1] * x.shape[2], x.shape[3]), (0, c.d_model - c.d_model_gen))

    def predict_vq(self, hidden: Tensor, height: Tensor | int, width: Tensor | int) -> Tensor:
        """Gen-branch hidden states [B, n, d_model_gen] → VQ logits [B, H*W, codebook]."""
        m, c = self.model.model, self.config
        x = m.gen_predictor_2(hidden)
        dg = c.d_model_gen  # explicit widths: a reshape with -1 is ambiguous on an empty canvas
        if c.downsample:
            x = conv_transpose2x2(
                m.upsample_gen.conv, m.upsample_gen.norm(x.reshape(x.shape[0], height // 2, width // 2, dg))
            )
        return m.gen_predictor(x.reshape(x.shape[0], height * width, dg))

    def forward(
        self,
        input_ids: Tensor,
        position_ids: Tensor,
        attention_mask: Tensor,
        past_gen_mask: Tensor,
        past_keys: Tensor,
        past_values: Tensor,
        image_features: Tensor,
        edit_vq: Tensor,
        gen_vq: Tensor,
        text_positions: Tensor,
        vocab_range: Tensor,
    ) -> tuple[Tensor, ...]:
        c, transformer = self.config, self.model.model.transformer
        embeds = transformer.wte(input_ids)
        embeds = merge_slots(embeds, input_ids == c.image_token_id, image_features)
        embeds = merge_slots(embeds, input_ids == c.edit_token_id, self.embed_vq(edit_vq))
        embeds = merge_slots(embeds, input_ids == c.gen_token_id, self.embed_vq(gen_vq))
        gen_mask = self.model.gen_mask(input_ids)

        past_len = past_gen_mask.shape[1]
        _, split = attention_masks(
            gen_mask, torch.cat((past_gen_mask, gen_mask), dim=1), attention_mask.bool(), None, past_len
        )
        x, keys, values = self.blocks(
            embeds, gen_mask, position_ids, attention_mask.int(), split.int(), past_keys, past_values
        )

        height, width = gen_vq.shape[1], gen_vq.shape[2]
        slots = input_ids == c.gen_token_id
        cells = (height // 2) * (width // 2) if c.downsample else height * width
        gen_hidden = x[slots].reshape(x.shape[0], cells, x.shape[-1])[..., : c.d_model_gen]
        vq_logits = self.predict_vq(gen_hidden, height, width).float()
        return (
            *text_predictions(self.model, x, text_positions, vocab_range),
            *choose(vq_logits),
            vq_logits,
            keys,
            values,
            gen_mask,
        )


class TextBackboneGraph(nn.Module):
    """The backbone for runs whose tokens are all text (prompts with image features but no VQ slots, text and
    LOC canvases): no generation branch, no routing. The cached keys' image-branch flags still hide them from
    split blocks, so any text run over any prefix cache is exact."""

    def __init__(self, model: LavidaForMaskedDiffusion) -> None:
        super().__init__()
        self.model = model
        self.config = model.config
        self.blocks = FusedBlocks(model)

    def forward(
        self,
        input_ids: Tensor,
        position_ids: Tensor,
        attention_mask: Tensor,
        past_gen_mask: Tensor,
        past_keys: Tensor,
        past_values: Tensor,
        image_features: Tensor,
        text_positions: Tensor,
        vocab_range: Tensor,
    ) -> tuple[Tensor, ...]:
        c = self.config
        embeds = self.model.model.transformer.wte(input_ids)
        embeds = merge_slots(embeds, input_ids == c.image_token_id, image_features)
        gen_mask = torch.zeros_like(input_ids, dtype=torch.bool)
        split = attention_mask.bool() & ~torch.cat((past_gen_mask, gen_mask), dim=1)
        x, keys, values = self.blocks(
            embeds, None, position_ids, attention_mask.int(), split.int(), past_keys, past_values
        )
        return (*text_predictions(self.model, x, text_positions, vocab_range), keys, values, gen_mask)


def choose(logits: Tensor) -> tuple[Tensor, Tensor]:
    """Greedy candidate ids and their confidences (the softmax probability of the argmax)."""
    return logits.argmax(dim=-1), torch.softmax(logits, dim=-1).amax(dim=-1)


class VQEncodeGraph(nn.Module):
    """pixels in [-1, 1] [B, 3, S, S] → VQ ids [B, S/f, S/f]."""

    def __init__(self, model: LavidaForMaskedDiffusion) -> None:
        super().__init__()
        self.vqvae = model.model.vqvae

    def forward(self, pixels: Tensor) -> Tensor:
        latents = vq_latents(self.vqvae, pixels)
        _, _, (_, _, indices) = self.vqvae.quantize(latents)
        return indices.reshape(latents.shape[0], latents.shape[2], latents.shape[3])


class VQDecodeGraph(nn.Module):
    """VQ ids [B, h, w] → pixels in [-1, 1] [B, 3, h*f, w*f]."""

    def __init__(self, model: LavidaForMaskedDiffusion) -> None:
        super().__init__()
        self.vqvae = model.model.vqvae

    def forward(self, ids: Tensor) -> Tensor:
        quant = self.vqvae.quantize.embedding(ids).permute(0, 3, 1, 2)
        return self.vqvae.decode(quant, force_not_quantize=True).sample.clamp(-1, 1)
