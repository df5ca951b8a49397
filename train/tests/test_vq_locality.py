import dataclasses

import numpy as np
import pytest
import torch

from lavida_r1.model import get_preset
from lavida_r1.model.config import VQConfig
from lavida_r1.model.generation import build_vqvae
from lavida_r1.vq import train as vq_train
from lavida_r1.vq.locality import locality_loss, unchanged_cells
from lavida_r1.vq.metrics import code_retention
from lavida_r1.vq.state import load_state, save_state

# A small local VQ (no mid-block attention) for fast steps; still 64-px world images and an 8x8 grid.
SMALL_LOCAL = dataclasses.replace(
    get_preset("tiny"),
    vq=VQConfig(
        block_out_channels=(8, 8, 8, 8),
        layers_per_block=1,
        latent_channels=4,
        num_vq_embeddings=32,
        norm_num_groups=4,
        image_size=64,
        mid_block_add_attention=False,
    ),
)


def pair_with_one_changed_cell() -> torch.Tensor:
    """(source, target) interleaved, [2, 3, 64, 64]: the target differs from the source in cell (2, 5) only."""
    source = torch.rand(1, 3, 64, 64) * 2 - 1
    target = source.clone()
    target[0, 1, 2 * 8 + 3, 5 * 8 + 7] += 0.5
    return torch.cat([source, target])


def test_unchanged_cells_marks_every_cell_but_the_edited_one():
    pixels = pair_with_one_changed_cell()
    unchanged = unchanged_cells(pixels[0::2], pixels[1::2], 8)
    assert unchanged.shape == (1, 8, 8) and int(unchanged.sum()) == 63 and not unchanged[0, 2, 5]


def test_locality_loss_is_zero_for_identical_pairs():
    pixels = pair_with_one_changed_cell()[:1].repeat(2, 1, 1, 1)
    latents = torch.randn(1, 4, 8, 8).repeat(2, 1, 1, 1)
    assert locality_loss(latents, pixels, 8).item() == 0.0


def test_locality_loss_counts_unchanged_cells_only():
    pixels = pair_with_one_changed_cell()
    latents = torch.randn(1, 4, 8, 8).repeat(2, 1, 1, 1)
    latents[1, :, 2, 5] += 3.0  # the edited cell may change freely
    assert locality_loss(latents, pixels, 8).item() == 0.0
    latents[1, :, 0, 0] += 1.0  # an unchanged cell may not
    expected = (1.0 / 63) / latents.var().item()
    assert locality_loss(latents, pixels, 8).item() == pytest.approx(expected, rel=1e-5)


def test_locality_loss_does_not_reward_shrinking_the_latents():
    pixels = pair_with_one_changed_cell()
    latents = torch.randn(2, 4, 8, 8)
    assert locality_loss(latents * 0.01, pixels, 8).item() == pytest.approx(
        locality_loss(latents, pixels, 8).item(), rel=1e-3
    )


def test_code_retention_on_a_hand_made_pair():
    source = np.array([[[[1, 2], [3, 4]]], [[[5, 6], [7, 8]]]]).reshape(2, 2, 2)
    target = source.copy()
    target[0, 0, 1] = 9  # changed code in an unchanged cell: not retained
    target[0, 1, 1] = 9  # changed code in the edited cell: not counted
    target[1, 0, 0] = 0  # second pair's edited cell
    unchanged = np.ones((2, 2, 2), dtype=bool)
    unchanged[0, 1, 1] = unchanged[1, 0, 0] = False
    r = code_retention(source, target, unchanged, ["add", "style"])
    assert r["add"] == {"unchanged_cells": 3, "retention": 2 / 3}
    assert r["style"] == {"unchanged_cells": 3, "retention": 1.0}
    assert r["all"] == {"unchanged_cells": 6, "retention": 5 / 6}
    none = code_retention(source, target, np.zeros_like(unchanged), ["add", "add"])
    assert none["add"]["retention"] is None


def test_local_vq_has_no_mid_block_attention():
    assert build_vqvae(get_preset("tiny")).encoder.mid_block.attentions[0] is not None
    local = build_vqvae(get_preset("tiny-local-vq"))
    assert local.config.mid_block_add_attention is False
    assert all(a is None for a in local.encoder.mid_block.attentions + local.decoder.mid_block.attentions)


def test_resume_with_the_locality_term_repeats_an_uninterrupted_run_bitwise(tmp_path):
    args = vq_train.TrainArgs(
        steps=6, batch=4, seed=3, warmup=2, ae_warmup=2, restart_every=2, restart_until=1.0, locality_weight=1.0
    )
    straight = vq_train.Trainer(SMALL_LOCAL, args)
    rows = [straight.train_step() for _ in range(6)]
    assert any(row["locality"] for row in rows)

    first = vq_train.Trainer(SMALL_LOCAL, args)
    resumed = [first.train_step() for _ in range(3)]
    save_state(tmp_path, first.state())
    torch.manual_seed(123)  # the resumed process starts with other RNG state
    second = vq_train.Trainer(SMALL_LOCAL, args)
    second.load(load_state(tmp_path))
    resumed += [second.train_step() for _ in range(3)]
    assert resumed == rows

    without = vq_train.Trainer(SMALL_LOCAL, dataclasses.replace(args, locality_weight=0.0))
    with pytest.raises(ValueError, match="trained with"):
        without.load(load_state(tmp_path))


def test_checkpoints_from_before_the_locality_term_still_resume(tmp_path):
    args = vq_train.TrainArgs(steps=4, batch=4, warmup=1, ae_warmup=2)
    trainer = vq_train.Trainer(SMALL_LOCAL, args)
    trainer.train_step()
    state = trainer.state()
    del state["args"]["locality_weight"]  # the args of a run written before the field existed
    save_state(tmp_path, state)
    vq_train.Trainer(SMALL_LOCAL, args).load(load_state(tmp_path))
