"""Box decoding only returns valid boxes: the valid-pair rule against brute force, the exact temperature draw,
the pixel ranges, and every box of a random model over many prompts, steps and temperatures."""

import itertools
import random

import pytest
import torch

from lavida_r1.boxes import bins_to_box, box_bin_ranges
from lavida_r1.sampling.grounding import generate_box
from lavida_r1.sampling.valid_box import box_candidates, slot_ranges, valid_box

INF = float("-inf")


def brute_force(scores, ranges):
    """Per axis the valid pair of greatest s_lo + s_hi, ties to the smallest hi, then the smallest lo."""
    box = [0] * 4
    for lo, hi in ((0, 2), (1, 3)):
        pairs = [
            (a, b)
            for a in range(ranges[lo][0], ranges[lo][1] + 1)
            for b in range(ranges[hi][0], ranges[hi][1] + 1)
            if a < b
        ]
        best = max(scores[lo][a] + scores[hi][b] for a, b in pairs)
        box[lo], box[hi] = min((b, a) for a, b in pairs if scores[lo][a] + scores[hi][b] == best)[::-1]
    return box


@pytest.mark.parametrize("ties", [False, True])
def test_valid_pair_rule_is_the_brute_force_argmax(ties):
    rng = random.Random(ties)
    for _ in range(300):
        bins = rng.randint(2, 12)
        size = (rng.randint(1, 60), rng.randint(1, 60))
        ranges = box_bin_ranges(size, bins)
        logits = torch.randint(0, 3, (1, 4, bins)).float() if ties else torch.randn(1, 4, bins)
        committed = torch.full((1, 4), -1)
        first = brute_force(logits[0].double().tolist(), ranges)
        for slot in range(4):  # commit a random part of a valid box
            if rng.random() < 0.4:
                committed[0, slot] = first[slot]
        chosen, confidence = box_candidates(logits, committed, torch.tensor([ranges]))
        scores = logits[0].double().clone()
        for slot in range(4):
            if committed[0, slot] >= 0:
                scores[slot] = INF
                scores[slot, committed[0, slot]] = 0
        assert chosen[0].tolist() == brute_force(scores.tolist(), ranges)
        expected = torch.softmax(logits[0].double(), -1).gather(1, chosen[0][:, None]).squeeze(1)
        assert torch.equal(confidence[0], expected)


def test_temperature_draws_exactly_from_the_valid_joint():
    bins, temperature, n = 5, 0.7, 40000
    logits = torch.randn(1, 4, bins, dtype=torch.float64)
    ranges = torch.tensor([box_bin_ranges(None, bins)])
    g = torch.Generator().manual_seed(0)
    draws = valid_box(logits.repeat(n, 1, 1), ranges.repeat(n, 1, 1), temperature, g)
    lo, hi = logits[0, 0] / temperature, logits[0, 2] / temperature  # the x pair
    joint = {(a, b): float((lo[a] + hi[b]).exp()) for a, b in itertools.combinations(range(bins), 2)}
    total = sum(joint.values())
    for (a, b), weight in joint.items():
        share = float(((draws[:, 0] == a) & (draws[:, 2] == b)).double().mean())
        assert abs(share - weight / total) < 0.015, (a, b)


def test_bin_ranges_are_exactly_the_pixel_valid_pairs():
    rng = random.Random(3)
    for _ in range(200):
        bins = rng.choice([9, 33, 1025])
        size = (rng.randint(1, 400), rng.randint(1, 400)) if rng.random() < 0.8 else (rng.randint(1, 5), 400)
        ranges = box_bin_ranges(size, bins)
        pairs = [tuple(sorted(rng.sample(range(bins), 2))) for _ in range(300)]
        for a, b in pairs:
            x1, y1, x2, y2 = bins_to_box([a, a, b, b], size, bins)
            assert (x2 > x1) == (a <= ranges[0][1] and b >= ranges[2][0])
            assert (y2 > y1) == (a <= ranges[1][1] and b >= ranges[3][0])
    assert box_bin_ranges(None) == [(0, 1023), (0, 1023), (1, 1024), (1, 1024)] == box_bin_ranges((7, 7))


def valid(bins, size):
    x1, y1, x2, y2 = bins
    px1, py1, px2, py2 = bins_to_box(bins, size)
    return 0 <= x1 < x2 <= 1024 and 0 <= y1 < y2 <= 1024 and px2 > px1 and py2 > py1


@pytest.mark.parametrize("steps", [1, 2, 4])
@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_every_decoded_box_is_valid(tiny_model, steps, temperature):
    c, rng = tiny_model.config, random.Random(steps)
    g = torch.Generator().manual_seed(steps)
    ids = torch.cat((torch.full((32, 1), c.bos_token_id), torch.randint(0, 500, (32, 8), generator=g)), 1)
    sizes = [(rng.randint(1, 300), rng.randint(1, 300)) if i % 4 else (rng.randint(1, 3), 300) for i in range(32)]
    sample = generate_box(tiny_model, ids, steps=steps, temperature=temperature, seed=1, image_sizes=sizes)
    assert all(valid(b, s) for b, s in zip(sample.bins.tolist(), sizes))
    plain = generate_box(tiny_model, ids, steps=steps, temperature=temperature, seed=1)
    assert all(valid(b, (1, 1)) for b in plain.bins.tolist())


def test_slot_ranges_default_to_the_bins_alone():
    assert slot_ranges(None, 2, 9).tolist() == [[[0, 7], [0, 7], [1, 8], [1, 8]]] * 2
