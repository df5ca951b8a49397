"""The architecture: bidirectional attention, prefix cache, Elastic-MoT routing, vision and VQ paths."""

import copy

import pytest
import torch
from PIL import Image

from lavida_r1.model import LavidaConfig, LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.generation import vq_decode, vq_encode
from lavida_r1.model.image_processing import process_anyres, select_best_resolution
from lavida_r1.model.lavida import scatter_in_order
from lavida_r1.model.vision import count_image_tokens, pooled_side, unpadded_shape


def text_ids(config, length, seed=0, batch=1):
    return torch.randint(0, 500, (batch, length), generator=torch.Generator().manual_seed(seed))


def image_features(model, size=(128, 96), colour=(200, 30, 30)):
    image = process_anyres(Image.new("RGB", size, colour), model.config)
    return model.encode_image(image)


def test_bidirectional_attention(tiny_model):
    ids = text_ids(tiny_model.config, 12)
    changed = ids.clone()
    changed[0, -1] = (ids[0, -1] + 1) % 500
    with torch.no_grad():
        a, b = tiny_model(ids).logits, tiny_model(changed).logits
    # A later token changes the logits of the first position: no causal mask.
    assert (a[0, 0] - b[0, 0]).abs().max() > 1e-4


def test_prefix_lm_mask_hides_answer_from_prompt(tiny_model):
    ids = text_ids(tiny_model.config, 12)
    changed = ids.clone()
    changed[0, -1] = (ids[0, -1] + 1) % 500
    with torch.no_grad():
        a, b = tiny_model(ids, prefix_len=8).logits, tiny_model(changed, prefix_len=8).logits
    assert torch.equal(a[0, :8], b[0, :8])
    assert (a[0, 8:] - b[0, 8:]).abs().max() > 1e-4


@pytest.mark.parametrize("with_image", [False, True])
def test_prefix_cache_equals_uncached_prefix_lm(tiny_model, with_image):
    c = tiny_model.config
    with torch.no_grad():
        feats = image_features(tiny_model) if with_image else None
        n_img = feats.shape[0] if with_image else 0
        prompt = torch.cat((torch.tensor([[c.bos_token_id] + [c.image_token_id] * n_img]), text_ids(c, 6)), dim=1)
        answer = torch.tensor([[c.mask_token_id, 7, c.mask_token_id, 9, c.mask_token_id]])
        kw = {"image_features": feats[None]} if with_image else {}
        full = tiny_model(torch.cat((prompt, answer), 1), prefix_len=prompt.shape[1], **kw).logits[:, prompt.shape[1] :]
        cache = tiny_model(prompt, use_cache=True, **kw).cache
        cached = tiny_model(answer, past=cache).logits
    assert (full - cached).abs().max() < 1e-5


def test_left_padding_keeps_row_results(tiny_model):
    c = tiny_model.config
    short, long = text_ids(c, 5, seed=1), text_ids(c, 8, seed=2)
    padded = torch.cat((torch.full((1, 3), c.pad_token_id), short), dim=1)
    ids = torch.cat((padded, long))
    mask = torch.ones_like(ids)
    mask[0, :3] = 0
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    with torch.no_grad():
        alone = tiny_model(short).logits
        batched = tiny_model(ids, attention_mask=mask, position_ids=positions).logits
    assert (alone[0] - batched[0, 3:]).abs().max() < 1e-5


def mixed_sequence(model, seed=0):
    """Text, an edit-source VQ image and a generation canvas in one row."""
    c = model.config
    g = torch.Generator().manual_seed(seed)
    grid = c.vq.grid_size
    edit_vq = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=g)
    gen_vq = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=g)
    gen_vq[0, ::2] = c.image_mask_token_id
    slots = (grid // 2) ** 2
    ids = torch.tensor(
        [
            [
                c.bos_token_id,
                *range(20, 26),
                *[c.edit_token_id] * slots,
                30,
                31,
                *[c.gen_token_id] * slots,
                c.eot_token_id,
            ]
        ]
    )
    return ids, edit_vq, gen_vq


def test_mixed_sequence_shapes(tiny_model):
    c = tiny_model.config
    ids, edit_vq, gen_vq = mixed_sequence(tiny_model)
    out = tiny_model(ids, edit_vq=edit_vq, gen_vq=gen_vq)
    assert out.logits.shape == (1, ids.shape[1], c.embedding_size)
    assert out.image_logits.shape == (1, c.vq.grid_size**2, c.vq.num_vq_embeddings)


def branch_params(model, gen: bool, split_only: bool):
    names = []
    for name, p in model.named_parameters():
        if ".blocks." not in name:
            continue
        layer = int(name.split(".blocks.")[1].split(".")[0])
        if split_only and not model.config.is_split_layer(layer):
            continue
        is_gen = "_vision" in name
        if is_gen == gen and "attn_out" not in name:
            names.append((name, p))
    return names


def grads_of(model, loss):
    model.zero_grad()
    loss.backward()
    return {n: (p.grad.abs().sum().item() if p.grad is not None else 0.0) for n, p in model.named_parameters()}


def test_elastic_mot_routing(tiny_model):
    model = copy.deepcopy(tiny_model).train()
    ids, edit_vq, gen_vq = mixed_sequence(model)
    text_pos = ~model.gen_mask(ids)

    out = model(ids, edit_vq=edit_vq, gen_vq=gen_vq)
    grads = grads_of(model, out.logits[text_pos].logsumexp(-1).sum())
    # Text tokens never go through generation-branch weights of split blocks (they attend within text only).
    assert all(grads[n] == 0 for n, _ in branch_params(model, gen=True, split_only=True))
    assert all(grads[n] == 0 for n in grads if n.startswith("model.gen_predictor"))
    assert any(grads[n] > 0 for n, _ in branch_params(model, gen=False, split_only=True))

    out = model(ids, edit_vq=edit_vq, gen_vq=gen_vq)
    grads = grads_of(model, out.image_logits.logsumexp(-1).sum())
    # Image tokens never use text-branch weights of split blocks, nor the text head.
    assert all(grads[n] == 0 for n, _ in branch_params(model, gen=False, split_only=True))
    assert grads["model.transformer.ff_out.weight"] == 0 and grads["model.transformer.ln_f.weight"] == 0
    assert any(grads[n] > 0 for n, _ in branch_params(model, gen=True, split_only=True))


def test_text_only_sequence_ignores_generation_branch(tiny_model):
    model = copy.deepcopy(tiny_model)
    ids = text_ids(model.config, 10)
    with torch.no_grad():
        before = model(ids).logits
        for _, p in branch_params(model, gen=True, split_only=False):
            p.add_(1.0)
        after = model(ids).logits
    assert torch.equal(before, after)


def test_split_blocks_attend_within_modality(tiny_model):
    """Changing an image token changes text logits only through the joint blocks: with every joint block's
    attention output zeroed, text logits no longer depend on the image."""
    model = copy.deepcopy(tiny_model)
    ids, edit_vq, gen_vq = mixed_sequence(model)
    other = gen_vq.clone()
    other[0, 1] = (other[0, 1] + 1) % model.config.vq.num_vq_embeddings
    text_pos = ~model.gen_mask(ids)
    with torch.no_grad():
        a = model(ids, edit_vq=edit_vq, gen_vq=gen_vq).logits[text_pos]
        b = model(ids, edit_vq=edit_vq, gen_vq=other).logits[text_pos]
        assert (a - b).abs().max() > 1e-6
        for block in model.model.transformer.blocks:
            if not block.split:
                block.attn_out.weight.zero_()
        a = model(ids, edit_vq=edit_vq, gen_vq=gen_vq).logits[text_pos]
        b = model(ids, edit_vq=edit_vq, gen_vq=other).logits[text_pos]
    assert torch.equal(a, b)


@pytest.mark.parametrize("size", [(128, 128), (128, 96), (96, 128), (200, 40), (40, 200), (64, 64), (33, 77)])
def test_anyres_token_count_matches_packing(tiny_model, size):
    image = process_anyres(Image.new("RGB", size, (10, 200, 30)), tiny_model.config)
    with torch.no_grad():
        feats = tiny_model.encode_image(image)
    assert feats.shape[0] == count_image_tokens(tiny_model.config, image.grid, image.original_size)
    # One image_newline closing every row of the unpadded crop map, after the base view.
    side = pooled_side(tiny_model.config)
    cols, rows = image.grid
    top, bottom, left, right = unpadded_shape(rows * side, cols * side, image.original_size)
    is_newline = (feats == tiny_model.model.image_newline).all(dim=1)
    expected = torch.zeros_like(is_newline)
    expected[side * side + (right - left) :: right - left + 1] = True
    assert torch.equal(is_newline, expected) and int(is_newline.sum()) == bottom - top


def test_best_resolution_prefers_matching_aspect():
    candidates = [(64, 128), (128, 64), (128, 128)]
    assert select_best_resolution((200, 100), candidates) == (128, 64)
    assert select_best_resolution((100, 200), candidates) == (64, 128)
    assert select_best_resolution((300, 290), candidates) == (128, 128)


def test_image_features_fill_placeholders_in_order():
    base = torch.zeros(2, 6, 3)
    slots = torch.tensor([[0, 1, 1, 0, 1, 0], [1, 0, 0, 0, 0, 1]], dtype=torch.bool)
    values = torch.arange(18, dtype=torch.float).view(2, 3, 3)
    out = scatter_in_order(base, slots, values)
    assert torch.equal(out[0, 1], values[0, 0]) and torch.equal(out[0, 2], values[0, 1])
    assert torch.equal(out[0, 4], values[0, 2]) and torch.equal(out[1, 5], values[1, 1])
    assert torch.equal(out[0, 0], base[0, 0]) and torch.equal(out[1, 1], base[1, 1])


def test_vq_ids_decode_like_the_full_autoencoder():
    torch.manual_seed(1)
    vqvae = LavidaForMaskedDiffusion(get_preset("tiny")).model.vqvae.eval()
    c = get_preset("tiny").vq
    pixels = torch.rand(2, 3, c.image_size, c.image_size) * 2 - 1
    ids = vq_encode(vqvae, pixels)
    assert ids.shape == (2, c.grid_size, c.grid_size) and int(ids.max()) < c.num_vq_embeddings
    with torch.no_grad():
        reference = vqvae(pixels).sample.clamp(-1, 1)
    # Going through the integer ids loses nothing compared with diffusers' own encode → quantize → decode.
    # (1e-4: diffusers' straight-through estimator adds float rounding)
    assert (vq_decode(vqvae, ids) - reference).abs().max() < 1e-4


def test_config_json_round_trip():
    for name in ("tiny", "lavida-o-10b"):
        config = get_preset(name)
        assert LavidaConfig.from_json(config.to_json()) == config


def test_config_rejects_unknown_fields_and_bad_ids():
    with pytest.raises(ValueError, match="unknown LavidaConfig fields"):
        LavidaConfig.from_dict({"d_model": 8, "bogus": 1})
    bad = get_preset("tiny")
    bad.mask_token_id = bad.vocab_size + 5
    with pytest.raises(ValueError, match="special token ids"):
        LavidaForMaskedDiffusion(bad)
