"""Fresh LOC rows are smooth in the bin index; the weight average and the in-training monitors."""

import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.sft.init import initialize, smooth_loc_rows


def cosine(a, b):
    return float(torch.nn.functional.cosine_similarity(a.detach(), b.detach(), dim=0))


def test_loc_rows_are_smooth_in_the_bin_index():
    torch.manual_seed(0)
    rows = smooth_loc_rows(1025, 160, 0.02)
    assert rows.shape == (1025, 160) and abs(float(rows.std()) - 0.02) < 0.002
    assert min(cosine(rows[b], rows[b + 2]) for b in range(0, 1020, 50)) > 0.9
    assert abs(sum(cosine(rows[b], rows[b + 512]) for b in range(0, 500, 50)) / 10) < 0.2


def test_initialize_gives_embedding_and_head_smooth_loc_rows():
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    initialize(model, 0.02)
    c = model.config
    for table in (model.model.transformer.wte.weight, model.model.transformer.ff_out.weight):
        assert cosine(table[c.loc_token(300)], table[c.loc_token(301)]) > 0.95
        assert abs(cosine(table[5], table[6])) < 0.5  # text rows stay independent


def test_image_reliance_and_spread_are_zero_for_a_model_blind_to_images_and_not_otherwise():
    from test_sft import builder, fresh_model

    from lavida_r1.data.batch import collate
    from lavida_r1.sft.monitor import embedding_norm_ratio, image_reliance, image_token_spread, swap_plan
    from lavida_r1.world import generate

    model = fresh_model().eval()
    make = builder(model).build
    batch = collate([make(generate("grounding", "train", i)) for i in range(6)], model.config)
    rows, sources = swap_plan(batch)
    assert sorted(rows) == sorted(sources) and all(r != s for r, s in zip(rows, sources))
    assert all(batch.images[r].original_size == batch.images[s].original_size for r, s in zip(rows, sources))
    assert abs(image_reliance(model, batch, 0, 0.0)) > 1e-4
    assert embedding_norm_ratio(model, batch) > 0
    assert image_token_spread(model, batch) > 0.05
    with torch.no_grad():  # every <image> embedding becomes the projector's bias: nothing to tell apart
        model.model.mm_projector[2].weight.zero_()
        model.model.mm_projector[2].bias.fill_(1.0)
    assert abs(image_reliance(model, batch, 0, 0.0)) < 1e-6
    assert image_token_spread(model, batch) < 1e-5
