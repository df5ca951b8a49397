"""Ablation (d): likelihood-estimator variance at equal forward passes.

For fixed responses (the world's SFT targets: text answers and edit plans + images), each estimator is drawn
`--draws` times with two forward passes per draw: complementary masking (one pair, weight 1), the same pair
with ELBO weights 1/(2t) and 1/(2(1 − t)), MC with 1/t weighting (two samples) and d1 (t = 1, deterministic
once the prompt is fixed: its cost is a bias, not variance). Reported per family: the mean sequence
log-likelihood, its standard deviation across draws (averaged over responses) and the relative variance of
the gradient, E‖g − ḡ‖² / ‖ḡ‖², each with a standard error over the draws (for the standard deviation the
normal approximation s / √(2(n − 1)); for the gradient ‖ḡ‖² is taken as exact).

Note that the estimators target different quantities: MC 1/t and the ELBO pair estimate the ELBO; complementary
masking with weight 1 scores every token once at a masking rate drawn with density 2r (a re-weighted ELBO); d1
scores every token with the whole response masked. Compare spreads, not means.

    python -m lavida_r1.rl.ablations.estimator_variance --checkpoint checkpoints/lavida-r1-tiny --out ../docs/rl
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from ...data.batch import collate
from ...world import generate
from ..likelihood import estimate, response_of
from .report import markdown_table, write_report
from .setup import load_for_ablation

ARMS = {
    "complementary": ("complementary", {}),
    "complementary ELBO": ("complementary_elbo", {}),
    "mc 1/t (2 samples)": ("mc", {"mc_samples": 2}),
    "d1 (t = 1)": ("d1", {}),
}  # label: (estimator, options)


def gradient_vector(model, value: torch.Tensor) -> torch.Tensor:
    params = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("model.vqvae.")]
    grads = torch.autograd.grad(value.sum(), params, allow_unused=True)
    return torch.cat([torch.zeros(p.numel()) if g is None else g.flatten() for p, g in zip(params, grads)])


def measure(model, batch, label: str, draws: int, seed: int) -> dict[str, float]:
    name, options = ARMS[label]
    values, grads = [], []
    for d in range(draws):
        response = response_of(model, batch)
        draw = estimate(name, response, torch.Generator().manual_seed(seed + d), **options)
        values.append(draw.value.detach())
        grads.append(gradient_vector(model, draw.value))
    values_t, grads_t = torch.stack(values), torch.stack(grads)
    stds = values_t.std(dim=0, unbiased=True)
    mean_grad = grads_t.mean(dim=0)
    deviations = ((grads_t - mean_grad) ** 2).sum(dim=1) / mean_grad.pow(2).sum().clamp(min=1e-30)
    return {
        "mean_loglik": values_t.mean().item(),
        "mean_loglik_se": (values_t.mean(dim=1).std() / draws**0.5).item(),
        "std_loglik": stds.mean().item(),
        "std_loglik_se": (stds.pow(2).sum().sqrt() / (len(stds) * (2 * (draws - 1)) ** 0.5)).item(),
        "relative_grad_variance": deviations.mean().item(),
        "relative_grad_variance_se": (deviations.std() / draws**0.5).item(),
        "forward_passes_per_draw": 1 if name == "d1" else 2,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Likelihood-estimator variance at equal forward passes.")
    parser.add_argument("--checkpoint", type=Path, default=Path("checkpoints/lavida-r1-tiny"))
    parser.add_argument("--families", default="math,mcq,edit")
    parser.add_argument("--responses", type=int, default=8, help="responses per family (one batch)")
    parser.add_argument("--draws", type=int, default=16, help="independent draws per estimator")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("../docs/rl"))
    args = parser.parse_args(argv)
    model, builder = load_for_ablation(args.checkpoint, args.threads)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for family in args.families.split(","):
        batch = collate([builder.build(generate(family, "eval", i)) for i in range(args.responses)], model.config)
        results[family] = {label: measure(model, batch, label, args.draws, seed=17) for label in ARMS}
    rows = [
        [
            family,
            label,
            r["forward_passes_per_draw"],
            f"{r['mean_loglik']:.4g} ± {r['mean_loglik_se']:.2g}",
            f"{r['std_loglik']:.3g} ± {r['std_loglik_se']:.2g}",
            f"{r['relative_grad_variance']:.3g} ± {r['relative_grad_variance_se']:.2g}",
        ]
        for family, by_estimator in results.items()
        for label, r in by_estimator.items()
    ]
    markdown = (
        f"# Estimator variance at equal forward passes ({args.checkpoint.name})\n\n"
        f"{args.responses} held-out world responses per family (SFT targets), n = {args.draws} draws per "
        f"estimator; ± one standard error over the draws.\n\n"
        + markdown_table(["family", "estimator", "passes", "mean log π", "std log π", "rel. grad variance"], rows)
        + f"\nCommand: `python -m lavida_r1.rl.ablations.estimator_variance --checkpoint {args.checkpoint} "
        f"--families {args.families} --responses {args.responses} --draws {args.draws}`\n"
    )
    write_report(args.out, "estimator-variance", {"checkpoint": str(args.checkpoint), "results": results}, markdown)
    print(markdown)


if __name__ == "__main__":
    main()
