"""The SFT view readout: each image token's target is the pixels of the region it pools, and training the
readout makes the projected tokens carry them."""

import pytest
import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.vision import token_region
from lavida_r1.sft.init import initialize
from lavida_r1.sft.view_readout import ViewReadout


@pytest.fixture(scope="module")
def config():
    return get_preset("tiny")


def test_a_pixel_block_lands_in_the_token_and_cell_that_cover_it(config):
    readout = ViewReadout(config, cell=4)
    size, region = config.vision.image_size, token_region(config)
    views = torch.zeros(2, 3, size, size)
    # Second view, green channel, the 4x4 block at rows 20-23, cols 36-39: token (1, 2), cell (1, 1).
    views[1, 1, 20:24, 36:40] = 1.0
    targets = readout.targets(views)
    side, cells = size // region, region // 4
    assert targets.shape == (2, side * side, 3 * cells * cells)
    hot = (targets == 1.0).nonzero().tolist()
    assert hot == [[1, 1 * side + 2, 1 * cells * cells + 1 * cells + 1]]


def test_a_cell_that_does_not_divide_the_region_is_refused(config):
    with pytest.raises(ValueError, match="divide"):
        ViewReadout(config, cell=3)


def test_training_the_readout_through_the_pathway_makes_tokens_describe_their_views(config):
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(config)
    initialize(model, 0.02)
    readout = ViewReadout(config, cell=4)
    size = config.vision.image_size
    # Views of one colour each: a random pathway's tokens do not tell them apart linearly at first.
    views = torch.rand(8, 3, 1, 1).mul(2).sub(1).expand(8, 3, size, size).contiguous()
    params = [
        p
        for n, p in model.named_parameters()
        if n.startswith(("model.vision_tower.", "model.vision_resampler.", "model.mm_projector."))
    ]
    optimizer = torch.optim.AdamW(params + list(readout.parameters()), lr=3e-3)
    losses = []
    for _ in range(60):
        loss = readout.loss(model.encode_views(views), views)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0]
