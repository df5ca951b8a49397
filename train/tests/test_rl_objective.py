"""RL objective, advantages, answer-forcing rule, KL estimate and rewards: exact values on small cases."""

import json
import random
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import torch

from lavida_r1.rl.advantages import distill_advantages, grpo_advantages, unified_advantages
from lavida_r1.rl.groups import answer_forcing_fires
from lavida_r1.rl.objective import k3_kl, unified_loss
from lavida_r1.rl.rewards import RewardEndpoint, format_ok, grounding_reward, oracle_edit_reward, text_reward
from lavida_r1.world import generate


def test_gradient_of_the_objective_matches_the_hand_computed_one():
    """Policy = softmax over 4 one-token answers; d/dθ of -(1/M) Σ A_i log π(y_i)/1 is
    -(1/M) Σ A_i (onehot(y_i) - softmax(θ))."""
    theta = torch.tensor([0.3, -1.2, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
    answers = torch.tensor([0, 2, 3, 3, 1])
    advantages = torch.tensor([1.0, -0.5, 0.25, 1.5, -2.0], dtype=torch.float64)
    logp = torch.log_softmax(theta, dim=0)[answers]
    unified_loss(logp, torch.ones(5), advantages, total=5).backward()
    probs = torch.softmax(theta.detach(), dim=0)
    expected = -sum(a * (torch.nn.functional.one_hot(y, 4) - probs) for a, y in zip(advantages, answers)) / 5
    assert torch.allclose(theta.grad, expected, atol=1e-12)


def test_the_objective_divides_by_tokens_and_by_the_whole_batch():
    logp = torch.tensor([-4.0, -9.0])
    loss = unified_loss(logp, torch.tensor([2.0, 3.0]), torch.tensor([1.0, -1.0]), total=4)
    assert loss.item() == pytest.approx(-(1 * -2.0 + -1 * -3.0) / 4)


FLOOR = 0.1


def test_grpo_advantages_are_normalised_within_each_group():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.2, 0.4, 0.6, 0.8], [0.5, 0.5, 0.5, 0.5]])
    a = grpo_advantages(rewards, FLOOR)
    assert torch.allclose(a[:2].mean(dim=1), torch.zeros(2), atol=1e-6)
    assert torch.allclose(a[:2].std(dim=1, unbiased=False), torch.ones(2), atol=1e-4)
    assert torch.equal(a[2], torch.zeros(4))
    assert a[1].argsort().tolist() == [0, 1, 2, 3]


def test_groups_of_near_zero_rewards_get_small_advantages():
    """Unit-spread normalisation would give [-0.58, -0.58, -0.58, 1.73] here; the floor keeps the group's
    advantages as small as its reward differences, and its 0.01 box is not distilled."""
    near_zero = torch.tensor([[0.0, 0.0, 0.0, 0.01], [0.02, 0.0, 0.03, 0.01]], dtype=torch.float64)
    a = unified_advantages(near_zero, 0.5, FLOOR)
    assert a.abs().max() < 0.1
    assert torch.allclose(a[0], torch.tensor([-0.0125, -0.0125, -0.0125, 0.0375], dtype=torch.float64))
    assert torch.equal(distill_advantages(near_zero, FLOOR), torch.zeros_like(near_zero))
    # A group that differs by a success keeps unit-spread advantages, and its success is distilled.
    binary = torch.tensor([[0.0, 0.0, 0.0, 1.0]])
    assert torch.allclose(grpo_advantages(binary, FLOOR), (binary - 0.25) / binary.std(unbiased=False))
    assert distill_advantages(binary, FLOOR).tolist() == [[0, 0, 0, 1]]


def test_distillation_rewards_only_the_first_best_of_a_group_that_earned_something():
    rewards = torch.tensor([[0.1, 0.7, 0.7, 0.2], [0.0, 0.0, 0.0, 0.0]])
    assert distill_advantages(rewards, FLOOR).tolist() == [[0, 1, 0, 0], [0, 0, 0, 0]]
    mixed = unified_advantages(rewards, 0.5, FLOOR)
    assert torch.allclose(mixed, 0.5 * distill_advantages(rewards, FLOOR) + 0.5 * grpo_advantages(rewards, FLOOR))
    assert torch.equal(unified_advantages(rewards, 1.0, FLOOR), distill_advantages(rewards, FLOOR))


def test_answer_forcing_fires_only_when_the_whole_group_fails_at_the_configured_rate():
    rng = random.Random(0)
    failed = [0.0, 0.2, 0.49]
    for p in (0.0, 0.1, 0.5, 1.0):
        rate = sum(answer_forcing_fires(failed, p, 0.5, rng.random()) for _ in range(4000)) / 4000
        assert abs(rate - p) < 0.025
    assert not any(answer_forcing_fires([0.0, 0.5, 0.1], 1.0, 0.5, rng.random()) for _ in range(100))


def test_k3_kl_is_zero_for_equal_policies_and_positive_otherwise():
    logp = torch.log(torch.tensor([[[0.5, 0.2, 0.9]]]))
    scored = torch.tensor([[[True, True, False]]])
    assert k3_kl(logp, logp, scored).item() == 0.0
    other = torch.log(torch.tensor([[[0.4, 0.3, 0.01]]]))
    d = torch.log(torch.tensor([0.4, 0.3])) - torch.log(torch.tensor([0.5, 0.2]))
    assert k3_kl(logp, other, scored).item() == pytest.approx((torch.exp(d) - d - 1).mean().item(), rel=1e-6)


def test_rewards_follow_the_evaluator_rules():
    chart = next(
        s
        for i in range(50)
        if (s := generate("chart", "train", i)).answer.replace(".", "").isdigit() and float(s.answer) > 20
    )
    near = float(chart.answer) * 1.04
    assert text_reward(chart, f"so <answer>{near}</answer>") == 1.0
    assert text_reward(chart, f"so <answer>{float(chart.answer) * 1.06}</answer>") == 0.0
    mcq = generate("mcq", "train", 0)
    assert text_reward(mcq, f"x <answer>{mcq.answer}</answer>", format_weight=0.5) == 1.5
    assert text_reward(mcq, mcq.answer) == 0.0 and not format_ok(mcq.answer)
    box = generate("grounding", "train", 0)
    assert grounding_reward(box, list(box.box)) == pytest.approx(1.0)
    edit = generate("edit", "train", 0)
    assert oracle_edit_reward(edit, edit.target_image) == 1.0 and oracle_edit_reward(edit, edit.image) == 0.0


class _Judge(BaseHTTPRequestHandler):
    reply = b'{"reward": 0.75}'

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen = sorted(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.reply)

    def log_message(self, *args):
        pass


def test_reward_endpoint_posts_the_images_and_reads_the_reward():
    server = HTTPServer(("127.0.0.1", 0), _Judge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/score"
        edit = generate("edit", "train", 1)
        assert RewardEndpoint(url)(edit, edit.target_image) == 0.75
        assert _Judge.seen == ["edited", "instruction", "source"]
        _Judge.reply = b'{"score": 3}'
        with pytest.raises(RuntimeError, match="numeric 'reward'"):
            RewardEndpoint(url)(edit, edit.image)
    finally:
        server.shutdown()
    with pytest.raises(RuntimeError, match="failed"):
        RewardEndpoint(url, timeout=2)(edit, edit.image)
