"""Rollouts: answer-forced responses score as the ground truth does, tree-search branches continue from the
stored early state of their parent, and every estimator scores a real batch."""

from pathlib import Path

import pytest
import torch
from test_tokenizer import COMMITTED

from lavida_r1.boxes import bins_to_box, box_to_bins
from lavida_r1.data.batch import collate
from lavida_r1.data.examples import ExampleBuilder
from lavida_r1.model import load_checkpoint
from lavida_r1.rl.config import ESTIMATORS, RLConfig
from lavida_r1.rl.forcing import barred_ids, forced_answer_ids, forced_text_rollout
from lavida_r1.rl.groups import run_group
from lavida_r1.rl.likelihood import estimate, response_of
from lavida_r1.rl.rewards import grounding_reward, text_reward
from lavida_r1.rl.rollouts import text_rollouts
from lavida_r1.rl.tree_search import canvas_at, tree_search
from lavida_r1.sampling.image import ImageSamplerConfig
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate, sft_target

LENGTHS = {"math": 64, "chart": 80, "mcq": 48, "edit": 64}
CHECKPOINT = Path(__file__).resolve().parents[1] / "checkpoints" / "lavida-r1-tiny"


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
    assert rollout.answer_ids[-len(forced) :] == forced and rollout.forced
    head = rollout.answer_ids[: -len(forced)]
    assert not set(head) & set(barred_ids(tokenizer, tiny_model.config).tolist())


def test_the_reasoning_may_not_write_stops_or_answer_tag_pieces(tiny_model, kit):
    tokenizer, _ = kit
    c = tiny_model.config
    barred = set(barred_ids(tokenizer, c).tolist())
    pieces = {i for tag in ("<answer>", " <answer>", "</answer>", ".</answer>") for i in tokenizer.encode(tag).ids}
    starts = {i for i in pieces if "<" in tokenizer.decode([i])}
    assert starts and starts <= barred
    assert {c.eos_token_id, c.eot_token_id, c.mask_token_id, c.loc_token(0)} <= barred
    assert tokenizer.token_to_id("answer") not in barred and tokenizer.token_to_id(">") not in barred


@pytest.fixture(scope="module")
def committed():
    model = load_checkpoint(CHECKPOINT).eval()
    tokenizer = load_tokenizer(CHECKPOINT / "tokenizer.json", model.config)
    return model, tokenizer, ExampleBuilder(model.config, tokenizer, LENGTHS, False, model.model.vqvae)


@pytest.mark.parametrize("family", ["math", "chart", "mcq", "grounding"])
def test_answer_forced_responses_score_as_the_ground_truth(committed, family):
    """With the committed checkpoint, every group is made to fail and forced (threshold above any reward):
    each forced response earns the ground truth's reward, format reward included (text), or the reward of
    the true box's canvas (grounding)."""
    model, tokenizer, builder = committed
    config = RLConfig(
        group_size=2, answer_forcing=1.0, success_threshold=2.0, format_reward=0.5, answer_lengths=LENGTHS
    )
    for index in range(6):
        sample = generate(family, "train", 100 + index)
        group = run_group(model, tokenizer, builder, sample, config, seed=index, edit_reward=None)
        assert group.forced and len(group.examples) == config.group_size + 1
        if family == "grounding":
            truth = grounding_reward(
                sample, bins_to_box(box_to_bins(list(sample.box), sample.image.size), sample.image.size)
            )
        else:
            truth = text_reward(sample, sft_target(sample), config.format_reward)
            assert truth == 1.5
        assert group.forced_reward == truth


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
    states = tree_search(
        tiny_model,
        example,
        lambda _: next(rewards),
        n=3,
        rounds=3,
        branch_step=2,
        image=image,
        plan_length=16,
        temperature=1.0,
        seed=3,
    )
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


@pytest.mark.parametrize("name", ESTIMATORS)
def test_estimators_score_text_and_image_responses(tiny_model, kit, name):
    _, builder = kit
    batch = collate([builder.build(generate("edit", "train", i)) for i in range(2)], tiny_model.config)
    response = response_of(tiny_model, batch)
    draw = estimate(name, response, torch.Generator().manual_seed(0), mc_samples=3)
    assert draw.value.shape == (2,) and bool((draw.value < 0).all())
    covered = draw.masks.sum(dim=0)
    if name.startswith("complementary"):
        assert torch.equal(covered, response.eligible.long())
    if name == "d1":
        assert torch.equal(draw.masks[0], response.eligible)
    text = LENGTHS["edit"]
    assert not bool(draw.masks[..., text : text + 16].logical_and(~response.eligible[:, text : text + 16]).any())
