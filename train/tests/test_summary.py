import json

import pytest
import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.summary import component_of, main, parameter_counts


def test_lavida_o_10b_matches_the_paper():
    counts = parameter_counts(get_preset("lavida-o-10b"))
    assert abs(counts["backbone_params"] - 10.4e9) <= 0.02 * 10.4e9
    assert abs(counts["understanding_params"] - 8.0e9) <= 0.02 * 8.0e9
    # "2.4B" is the generation branch of the blocks; the heads and 2x2 resampling add ~0.08B.
    assert abs(counts["components"]["gen_blocks"] - 2.4e9) <= 0.02 * 2.4e9
    assert abs(counts["generation_params"] - 2.4e9) <= 0.05 * 2.4e9
    assert counts["backbone_params"] == counts["understanding_params"] + counts["generation_params"]
    assert counts["total_params"] == (counts["backbone_params"] + counts["vision_params"] + counts["vq_params"])


def test_tiny_counts_equal_an_instantiated_model():
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    counts = parameter_counts(model.config)
    assert counts["total_params"] == sum(p.numel() for p in model.parameters())
    real = {}
    for key, param in model.named_parameters():
        real[component_of(key)] = real.get(component_of(key), 0) + param.numel()
    assert counts["components"] == real
    vq = sum(p.numel() for p in model.model.vqvae.parameters())
    assert counts["vq_params"] == vq
    m = model.model
    vision = sum(p.numel() for part in (m.vision_tower, m.vision_resampler, m.mm_projector) for p in part.parameters())
    assert counts["vision_params"] == vision + m.image_newline.numel()


def test_every_parameter_has_a_component():
    with pytest.raises(KeyError, match="model.something_new.weight"):
        component_of("model.something_new.weight")
    assert component_of("model.transformer.blocks.3.ff_out_vision.weight") == "gen_blocks"
    assert component_of("model.transformer.blocks.3.ff_out.weight") == "text_blocks"


def test_cli_prints_json(capsys):
    main(["--preset", "tiny"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["preset"] == "tiny"
    assert {
        "backbone_params",
        "understanding_params",
        "generation_params",
        "vision_params",
        "vq_params",
        "total_params",
    } <= printed.keys()
