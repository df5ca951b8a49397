"""SFT schedule pieces: balanced family blocks, the curriculum, the image-pathway optimizer group."""

import pytest

from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.schedule import BLOCK, block_counts, family_at


def test_every_block_holds_each_family_by_its_weight():
    mixture = {"math": 1.0, "chart": 1.2, "mcq": 1.0, "grounding": 1.0, "edit": 0.25}
    counts = block_counts(mixture)
    assert sum(counts.values()) == BLOCK
    for family, weight in mixture.items():
        assert abs(counts[family] - BLOCK * weight / sum(mixture.values())) < 1
    for block in range(3):
        seen = [family_at(7, block * BLOCK + i, mixture) for i in range(BLOCK)]
        assert {f: seen.count(f) for f in counts} == counts
    orders = [[family_at(7, b * BLOCK + i, mixture) for i in range(BLOCK)] for b in range(2)]
    assert orders[0] != orders[1]  # shuffled per block
    assert [family_at(7, i, mixture) for i in range(BLOCK)] == orders[0]  # a pure function of (seed, step)


def test_a_rare_family_still_gets_a_step_per_block():
    assert block_counts({"math": 100.0, "edit": 0.1})["edit"] == 1
    assert "chart" not in block_counts({"math": 1.0, "chart": 0.0})


def test_curriculum_phases_then_the_mixture():
    config = SFTConfig(
        curriculum=[{"until": 10, "mixture": {"caption": 1.0}}, {"until": 20, "mixture": {"locate": 1.0}}],
        mixture={"math": 1.0},
    )
    config.validate()
    assert [config.mixture_at(s) for s in (0, 9, 10, 19, 20)] == [
        {"caption": 1.0},
        {"caption": 1.0},
        {"locate": 1.0},
        {"locate": 1.0},
        {"math": 1.0},
    ]
    with pytest.raises(ValueError, match="increasing"):
        SFTConfig(
            curriculum=[{"until": 20, "mixture": {"math": 1}}, {"until": 10, "mixture": {"math": 1}}],
            mixture={"math": 1.0},
        ).validate()
    with pytest.raises(ValueError, match="subset"):
        SFTConfig(curriculum=[{"until": 5, "mixture": {"poetry": 1}}], mixture={"math": 1.0}).validate()


def test_a_mixture_key_can_name_one_kind_of_a_family():
    from lavida_r1.sft.schedule import step_samples

    mixture = {"spot:small": 1.0, "spot:large": 1.0}
    SFTConfig(mixture=mixture).validate()
    keys = [family_at(0, step, mixture) for step in range(BLOCK)]
    assert keys.count("spot:small") == keys.count("spot:large") == BLOCK // 2
    step = keys.index("spot:small")
    assert {s.meta["kind"] for s in step_samples(0, step, 4, mixture)} == {"small"}
    assert {s.family for s in step_samples(0, step, 4, mixture)} == {"spot"}
    with pytest.raises(ValueError, match="unknown kind 'tiny' of spot"):
        SFTConfig(mixture={"spot:tiny": 1.0}).validate()
    with pytest.raises(ValueError, match="subset"):
        SFTConfig(mixture={"poetry:sonnet": 1.0}).validate()


def test_the_image_pathway_trains_at_its_own_rate_and_decay():
    from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
    from lavida_r1.sft.optimizer import VISION, make_optimizer

    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    config = SFTConfig(vision_lr_scale=0.25, vision_weight_decay=0.3, weight_decay=0.01)
    rest, vision = make_optimizer(model, config).param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    assert all(names[id(p)].startswith(VISION) for p in vision["params"])
    assert not any(names[id(p)].startswith(VISION) or "vqvae" in names[id(p)] for p in rest["params"])
    assert (vision["lr_scale"], vision["weight_decay"], rest["lr_scale"]) == (0.25, 0.3, 1.0)
