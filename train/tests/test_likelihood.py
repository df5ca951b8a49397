"""Likelihood estimators: coverage of the complementary pair and agreement in expectation."""

import copy
import itertools

import numpy as np
import torch

from lavida_r1.likelihood import complementary_estimate, complementary_masks, d1_estimate, mc_estimate, text_logprob_fn

EPS = 1e-3


def problem(model, answer_len):
    c = model.config
    prompt = torch.tensor([[c.bos_token_id, 11, 12, 13, 14]])
    answer = torch.tensor([[21, 22, 23, 24, 25][:answer_len]])
    return prompt, answer


def within_standard_errors(draws: np.ndarray, expected: float, k: float = 4.0) -> bool:
    return abs(draws.mean() - expected) < k * draws.std() / np.sqrt(len(draws))


def test_complementary_pair_covers_each_token_exactly_once():
    eligible = torch.ones(64, 40, dtype=torch.bool)
    eligible[:, 30:] = False  # padding is never masked
    masks = complementary_masks(eligible, torch.Generator().manual_seed(0))
    assert torch.equal(masks.sum(0), eligible.long())
    fractions = masks[0].float()[:, :30].mean(1)
    assert fractions.std() > 0.15  # t varies across rows, uniform on [0, 1]


def mc_draws(fn, eligible, n, seed):
    """n independent single-sample MC (1/t) estimates, drawn in one batch."""
    with torch.no_grad():
        return (
            mc_estimate(fn, eligible, samples=n, eps=EPS, generator=torch.Generator().manual_seed(seed))
            .per_sample[:, 0]
            .double()
            .numpy()
        )


def test_estimators_agree_with_the_exact_likelihood_on_a_context_free_model(tiny_model):
    """With attention outputs zeroed a masked slot's prediction ignores every other token, so the sequence
    likelihood is exactly the d1 value and every estimator must agree with it in expectation."""
    model = copy.deepcopy(tiny_model)
    with torch.no_grad():
        for block in model.model.transformer.blocks:
            block.attn_out.weight.zero_()
    prompt, answer = problem(model, 5)
    fn = text_logprob_fn(model, prompt, answer)
    eligible = torch.ones_like(answer, dtype=torch.bool)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        exact = float(d1_estimate(fn, eligible).value)
        complementary = [float(complementary_estimate(fn, eligible, g).value) for _ in range(20)]
    # The complementary pair scores every token exactly once: exact, with no variance here.
    assert max(abs(v - exact) for v in complementary) < 1e-4
    assert within_standard_errors(mc_draws(fn, eligible, 4000, seed=1), exact)


def subset_table(fn, length):
    """log p of each answer token under every masking of the answer (2^length subsets)."""
    subsets = list(itertools.product([False, True], repeat=length))
    with torch.no_grad():
        return subsets, fn(torch.tensor(subsets)[:, None, :])[:, 0].double()


def exact_mc_expectation(subsets, logp, length, points=20001):
    """E over t ~ U(0,1), p = (1-eps)t + eps, S ~ Bernoulli(p) of (1/p) sum_{k in S} log p(y_k | S masked)."""
    t = np.linspace(0, 1, points)
    p = (1 - EPS) * t + EPS
    total = np.zeros_like(t)
    for i, subset in enumerate(subsets):
        size = sum(subset)
        if size:
            total += p ** (size - 1) * (1 - p) ** (length - size) * float(logp[i][list(subset)].sum())
    return float(np.trapezoid(total, t))


def exact_complementary_expectation(subsets, logp, length, points=20001):
    """E over t ~ U(0,1), S ~ Bernoulli(t) of the pair's score (S scored with S masked, the rest with it masked)."""
    t = np.linspace(0, 1, points)
    index = {s: i for i, s in enumerate(subsets)}
    total = np.zeros_like(t)
    for i, subset in enumerate(subsets):
        size = sum(subset)
        complement = tuple(not m for m in subset)
        score = float(logp[i][list(subset)].sum()) + float(logp[index[complement]][list(complement)].sum())
        total += t**size * (1 - t) ** (length - size) * score
    return float(np.trapezoid(total, t))


def test_estimators_match_their_exact_expectations(tiny_model):
    """On the real, context-dependent model each estimator's sample mean matches its expectation computed
    exactly by enumerating all maskings of a 3-token answer."""
    prompt, answer = problem(tiny_model, 3)
    fn = text_logprob_fn(tiny_model, prompt, answer)
    eligible = torch.ones_like(answer, dtype=torch.bool)
    subsets, logp = subset_table(fn, 3)
    mc_expected = exact_mc_expectation(subsets, logp, 3)

    single = mc_draws(fn, eligible, 3000, seed=2)
    assert within_standard_errors(single, mc_expected)

    n = 3000
    batch_fn = text_logprob_fn(tiny_model, prompt.expand(n, -1), answer.expand(n, -1))
    with torch.no_grad():
        pairs = complementary_estimate(batch_fn, eligible.expand(n, -1), torch.Generator().manual_seed(3))
    assert within_standard_errors(pairs.value.double().numpy(), exact_complementary_expectation(subsets, logp, 3))

    # k-sample MC keeps the 1-sample expectation with a k times smaller variance.
    rows = 400
    rows_fn = text_logprob_fn(tiny_model, prompt.expand(rows, -1), answer.expand(rows, -1))
    with torch.no_grad():
        k4 = (
            mc_estimate(rows_fn, eligible.expand(rows, -1), samples=4, generator=torch.Generator().manual_seed(4))
            .value.double()
            .numpy()
        )
    assert within_standard_errors(k4, mc_expected)
    assert k4.var() < single.var() / 2


def test_estimates_are_differentiable(tiny_model):
    model = copy.deepcopy(tiny_model).train()
    prompt, answer = problem(model, 4)
    fn = text_logprob_fn(model, prompt, answer)
    estimate = complementary_estimate(fn, torch.ones_like(answer, dtype=torch.bool), torch.Generator().manual_seed(0))
    estimate.value.sum().backward()
    assert model.model.transformer.ff_out.weight.grad.abs().sum() > 0


def test_d1_prompt_noise_changes_the_estimate_and_keeps_image_slots(tiny_model):
    c = tiny_model.config
    prompt = torch.tensor([[c.bos_token_id] + [c.image_token_id] * 3 + list(range(30, 60))])
    answer = torch.tensor([[21, 22]])
    feats = torch.randn(1, 3, c.d_model)
    masks = torch.ones(1, 1, 2, dtype=torch.bool)
    plain = text_logprob_fn(tiny_model, prompt, answer, image_features=feats)
    noisy = text_logprob_fn(
        tiny_model,
        prompt,
        answer,
        image_features=feats,
        prompt_mask_prob=0.5,
        generator=torch.Generator().manual_seed(0),
    )
    all_masked = text_logprob_fn(tiny_model, prompt, answer, image_features=feats, prompt_mask_prob=1.0)
    # With every text token of the prompt masked, only the image slots still condition the answer.
    image_only = torch.tensor([[c.mask_token_id] + [c.image_token_id] * 3 + [c.mask_token_id] * 30])
    reference = text_logprob_fn(tiny_model, image_only, answer, image_features=feats)
    with torch.no_grad():
        assert not torch.equal(plain(masks), noisy(masks))
        assert torch.allclose(all_masked(masks), reference(masks), atol=1e-6)


def test_image_likelihood_reads_the_target_tokens_under_each_masking(tiny_model):
    from lavida_r1.likelihood import image_logprob_fn

    c = tiny_model.config
    grid = c.vq.grid_size
    slots = (grid // 2) ** 2
    ids = torch.tensor(
        [[c.bos_token_id, *[c.edit_token_id] * slots, 60, 61, *[c.gen_token_id] * slots, c.eot_token_id]]
    )
    g = torch.Generator().manual_seed(0)
    source = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=g)
    target = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=g)
    fn = image_logprob_fn(tiny_model, ids, target, edit_vq=source)
    eligible = torch.ones(1, grid * grid, dtype=torch.bool)
    with torch.no_grad():
        pair = complementary_estimate(fn, eligible, g)
        for mask in pair.masks:
            canvas = torch.where(mask, c.image_mask_token_id, target.flatten(1)).view(1, grid, grid)
            logits = tiny_model(ids, edit_vq=source, gen_vq=canvas).image_logits
            direct = torch.log_softmax(logits, -1).gather(-1, target.flatten(1)[..., None]).squeeze(-1)
            assert torch.allclose(fn(mask[None])[0], direct, atol=1e-5)
    assert torch.equal(pair.masks.sum(0), eligible.long()) and float(pair.value) < 0
