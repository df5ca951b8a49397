import copy
import dataclasses

import pytest
import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset

# The tiny model's ops are too small to gain from intra-op threads, and extra threads thrash when other
# processes share the two cores.
torch.set_num_threads(1)


def randomized(model: LavidaForMaskedDiffusion, seed: int) -> LavidaForMaskedDiffusion:
    """Non-trivial weights everywhere (norm gains, newline, biases) so tests exercise every parameter."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (0.5 if p.dim() > 1 else 0.2) + (1.0 if p.dim() == 1 else 0.0))
        for name, p in model.named_parameters():
            if p.dim() == 2 and "embedding" not in name and "wte" not in name:
                p.mul_(p.shape[1] ** -0.5)
    return model


@pytest.fixture(scope="session")
def tiny_model() -> LavidaForMaskedDiffusion:
    """Random weights at std 0.5, image embeddings rescaled to the same RMS, so predictions depend on the image."""
    torch.manual_seed(0)
    config = dataclasses.replace(get_preset("tiny"), image_embedding_rms=0.5)
    return randomized(LavidaForMaskedDiffusion(config), 0).eval()


@pytest.fixture(scope="session")
def tiny_config():
    return get_preset("tiny")


@pytest.fixture(scope="session")
def sharp_model(tiny_model) -> LavidaForMaskedDiffusion:
    """The tiny model with a scaled LM head, so some predictions are confident (threshold decoding)."""
    model = copy.deepcopy(tiny_model)
    with torch.no_grad():
        model.model.transformer.ff_out.weight.mul_(30.0)
    return model
