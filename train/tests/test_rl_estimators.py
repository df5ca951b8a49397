"""The ELBO-consistent complementary pair (estimator "complementary_elbo"): its expectation, computed exactly by
enumerating every masking of a short answer and integrating the masking rate by Gauss-Legendre quadrature
(the integrand is a polynomial in the rate), equals the ELBO; its sampled mean matches that expectation."""

import itertools
import math

import numpy as np
import pytest
import torch

from lavida_r1.likelihood import complementary_elbo_estimate, complementary_elbo_value, text_logprob_fn

LENGTH = 4
EPS = 1e-3


@pytest.fixture(scope="module")
def table(tiny_model):
    """Every masking S of a 4-token answer and log p of each token with S masked (read where masked)."""
    c = tiny_model.config
    prompt, answer = torch.tensor([[c.bos_token_id, 11, 12, 13, 14]]), torch.tensor([[21, 22, 23, 24]])
    subsets = torch.tensor(list(itertools.product([False, True], repeat=LENGTH)))
    with torch.no_grad():
        logp = text_logprob_fn(tiny_model, prompt, answer)(subsets[:, None, :])[:, 0].double()
    return prompt, answer, subsets, logp


def elbo(subsets: torch.Tensor, logp: torch.Tensor) -> float:
    """E_{t~U(0,1)} E_{S~Bernoulli(t)} (1/t) Σ_{k∈S} log p(y_k | y_S masked), with ∫ t^(m-1) (1-t)^(L-m) dt
    = (m-1)! (L-m)! / L! for |S| = m."""
    total = 0.0
    for subset, row in zip(subsets, logp):
        m = int(subset.sum())
        if m:
            weight = math.factorial(m - 1) * math.factorial(LENGTH - m) / math.factorial(LENGTH)
            total += weight * float(row[subset].sum())
    return total


def pair_expectation(subsets: torch.Tensor, logp: torch.Tensor, eps: float, score) -> float:
    """E over t ~ U(0,1), rate p = eps + (1 - 2 eps) t and S ~ Bernoulli(p) of score(pair logp, pair masks, p)."""
    nodes, weights = np.polynomial.legendre.leggauss(LENGTH + 1)
    index = {tuple(s.tolist()): i for i, s in enumerate(subsets)}
    total = 0.0
    for node, weight in zip(nodes, weights):
        p = eps + (1 - 2 * eps) * (node + 1) / 2
        for i, subset in enumerate(subsets):
            complement = ~subset
            masks = torch.stack((subset, complement))[:, None]
            pair = torch.stack((logp[i], logp[index[tuple(complement.tolist())]]))[:, None]
            chance = p ** int(subset.sum()) * (1 - p) ** int(complement.sum())
            total += weight / 2 * chance * float(score(pair, masks, torch.tensor([[p]], dtype=torch.float64))[0])
    return total


def weight_one(pair: torch.Tensor, masks: torch.Tensor, rate: torch.Tensor) -> torch.Tensor:
    return (pair * masks).sum(dim=(0, 2))


def test_the_elbo_pair_has_the_elbo_as_its_exact_expectation(table):
    _, _, subsets, logp = table
    exact = elbo(subsets, logp)
    assert pair_expectation(subsets, logp, 0.0, complementary_elbo_value) == pytest.approx(exact, abs=1e-9)
    # The default eps (weights bounded by 1/(2 eps)) moves it by a small fraction.
    assert pair_expectation(subsets, logp, EPS, complementary_elbo_value) == pytest.approx(exact, rel=1e-2)
    # The weight-1 pair targets another quantity (context masked at a rate of density 2r).
    assert abs(pair_expectation(subsets, logp, 0.0, weight_one) - exact) > 0.05


def test_the_sampled_elbo_pair_matches_its_exact_expectation(tiny_model, table):
    prompt, answer, subsets, logp = table
    n = 3000
    fn = text_logprob_fn(tiny_model, prompt.expand(n, -1), answer.expand(n, -1))
    with torch.no_grad():
        draws = (
            complementary_elbo_estimate(
                fn, torch.ones(n, LENGTH, dtype=torch.bool), EPS, torch.Generator().manual_seed(0)
            )
            .value.double()
            .numpy()
        )
    expected = pair_expectation(subsets, logp, EPS, complementary_elbo_value)
    assert abs(draws.mean() - expected) < 4 * draws.std() / np.sqrt(n)
