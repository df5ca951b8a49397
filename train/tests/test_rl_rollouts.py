"""Rollouts: the answer-forced response keeps its answer span, tree-search branches continue from the stored
early state of their parent, and every estimator scores a real batch."""
import pytest
import torch

from lavida_r1.rl.likelihood import estimate, response_of
from lavida_r1.rl.rollouts import forced_answer_ids, forced_text_rollout, text_rollouts
from lavida_r1.rl.tree_search import canvas_at, tree_search
from lavida_r1.sampling.image import ImageSamplerConfig
from lavida_r1.sft.batch import collate
from lavida_r1.sft.examples import ExampleBuilder
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate

from test_tokenizer import COMMITTED

LENGTHS = {"math": 64, "chart": 80, "mcq": 48, "edit": 64}


@pytest.fixture(scope="module")
def kit(tiny_model):
    tokenizer = load_tokenizer(COMMITTED, tiny_model.config)
    return tokenizer, ExampleBuilder(tiny_model.config, tokenizer, LENGTHS, False, tiny_model.model.vqvae)


def test_forced_rollout_keeps_the_answer_and_fills_every_reasoning_slot(tiny_model, kit):
    tokenizer, builder = kit
    sample = generate("math", "train", 3)
    example = builder.build(sample)
    rollout = forced_text_rollout(tiny_model, tokenizer, example, sample.target_answer, 64, 2, 1.0, seed=5)
    forced = forced_answer_ids(tokenizer, tiny_model, sample.target_answer)
    c = tiny_model.config
    assert rollout.answer_ids[-len(forced):] == forced and rollout.forced
    head = rollout.answer_ids[:-len(forced)]
    assert c.mask_token_id not in head and c.eos_token_id not in head


def test_group_rollouts_are_seeded_and_differ_within_the_group(tiny_model, kit):
    tokenizer, builder = kit
    example = builder.build(generate("mcq", "train", 2))
    first = text_rollouts(tiny_model, tokenizer, example, 3, 48, 2, 1.0, seed=11)
    again = text_rollouts(tiny_model, tokenizer, example, 3, 48, 2, 1.0, seed=11)
    assert [r.answer_ids for r in first] == [r.answer_ids for r in again]
    assert len({tuple(r.answer_ids) for r in first}) == 3


def test_tree_search_branches_share_their_parents_early_state(tiny_model, kit):
    _, builder = kit
    sample = generate("edit", "train", 4)
    example = builder.build(sample)
    rewards = iter(torch.linspace(0, 1, 9).tolist())
    image = ImageSamplerConfig(steps=6, temperature=1.0, guidance_scale=0.0, image_guidance_scale=0.0)
    states = tree_search(tiny_model, example, lambda _: next(rewards), n=3, rounds=3, branch_step=2, image=image,
                         plan_length=16, temperature=1.0, seed=3)
    assert len(states) == 9 and [s.parent for s in states] == [None] * 3 + [2] * 3 + [5] * 3
    mask = tiny_model.config.image_mask_token_id
    for child in states[3:]:
        parent = states[child.parent]
        shared = parent.unmask_step < 2
        assert bool(shared.any()) and bool((~shared).any())
        assert torch.equal(child.vq.flatten()[shared], parent.vq.flatten()[shared])
        assert torch.equal(canvas_at(child, 2, mask), canvas_at(parent, 2, mask))
        assert child.answer_ids == parent.answer_ids
    late = [s for s in states[3:6]]
    assert any(not torch.equal(a.vq, b.vq) for a, b in zip(late, late[1:]))


@pytest.mark.parametrize("name", ["complementary", "mc", "d1"])
def test_estimators_score_text_and_image_responses(tiny_model, kit, name):
    _, builder = kit
    batch = collate([builder.build(generate("edit", "train", i)) for i in range(2)], tiny_model.config)
    response = response_of(tiny_model, batch)
    draw = estimate(name, response, torch.Generator().manual_seed(0), mc_samples=3)
    assert draw.value.shape == (2,) and bool((draw.value < 0).all())
    covered = draw.masks.sum(dim=0)
    if name == "complementary":
        assert torch.equal(covered, response.eligible.long())
    if name == "d1":
        assert torch.equal(draw.masks[0], response.eligible)
    text = LENGTHS["edit"]
    assert not bool(draw.masks[..., text:text + 16].logical_and(~response.eligible[:, text:text + 16]).any())
