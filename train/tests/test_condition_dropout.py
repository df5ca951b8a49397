"""Condition dropout on edit batches: the variants are guided sampling's, drawn per row of the whole batch."""

from dataclasses import replace

import pytest
import torch
from test_sft import builder, fresh_model

from lavida_r1.data.batch import collate
from lavida_r1.prompts import edit_condition_mask
from lavida_r1.sft.condition_dropout import drop_edit_conditions
from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.loss import sft_loss
from lavida_r1.sft.share import Share
from lavida_r1.world import generate


@pytest.fixture(scope="module")
def edit_batch():
    model = fresh_model()
    make = builder(model).build
    return model, collate([make(generate("edit", "train", i)) for i in range(6)], model.config)


def dropped(edit_batch, drop_image, drop_all, share=None, seed=0):
    model, batch = edit_batch
    share = share or Share.whole(batch.prompt_ids.shape[0])
    return drop_edit_conditions(batch, model.config, torch.Generator().manual_seed(seed), share, drop_image, drop_all)


def test_dropping_everything_masks_images_and_instruction_only(edit_batch):
    model, batch = edit_batch
    c = model.config
    out = dropped(edit_batch, 0.0, 1.0).prompt_ids
    for before, after in zip(batch.prompt_ids.tolist(), out.tolist()):
        instruction = edit_condition_mask(c, before)
        slots = [t in (c.image_token_id, c.edit_token_id) for t in before]
        assert any(instruction) and any(slots)
        for token, new, masked in zip(before, after, (i or s for i, s in zip(instruction, slots))):
            assert new == (c.mask_token_id if masked else token)


def test_dropping_the_image_keeps_the_instruction(edit_batch):
    model, batch = edit_batch
    c = model.config
    out = dropped(edit_batch, 1.0, 0.0).prompt_ids
    assert not ((out == c.image_token_id) | (out == c.edit_token_id)).any()
    for before, after in zip(batch.prompt_ids.tolist(), out.tolist()):
        instruction = edit_condition_mask(c, before)
        assert [t for t, i in zip(after, instruction) if i] == [t for t, i in zip(before, instruction) if i]


def test_each_row_draws_the_same_variant_whatever_its_share(edit_batch):
    model, batch = edit_batch
    whole = dropped(edit_batch, 0.3, 0.3, seed=5).prompt_ids
    assert len({tuple(row) for row in whole.tolist()}) > 1  # the draws differ between rows
    kinds = [(row == model.config.mask_token_id).sum().item() for row in whole]
    assert len(set(kinds)) > 1  # some rows keep their conditions, some lose them
    for rows in ([0, 2, 4], [1, 3, 5]):
        part = collate_rows(batch, rows)
        out = drop_edit_conditions(part, model.config, torch.Generator().manual_seed(5), Share(rows, 6), 0.3, 0.3)
        assert torch.equal(out.prompt_ids, whole[rows])


def collate_rows(batch, rows):
    return replace(batch, prompt_ids=batch.prompt_ids[rows])


def test_a_dropped_batch_trains(edit_batch):
    model, _ = edit_batch
    parts = sft_loss(model, dropped(edit_batch, 0.5, 0.5), torch.Generator().manual_seed(0))
    assert torch.isfinite(parts.total) and parts.image is not None


@pytest.mark.parametrize("image, everything", [(-0.1, 0.0), (0.6, 0.5)])
def test_config_rejects_impossible_rates(image, everything):
    with pytest.raises(ValueError, match="edit_drop"):
        SFTConfig(mixture={"math": 1.0}, edit_drop_image=image, edit_drop_all=everything).validate()
