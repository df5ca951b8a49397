"""RL run configuration, read from a JSON file (every field optional; defaults post-train lavida-r1-tiny)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config_files import INPUT, OUTPUT, TRAIN_DIR, read_config
from ..data.examples import DEFAULT_ANSWER_LENGTHS
from ..world import FAMILIES

ESTIMATORS = ("complementary", "complementary_elbo", "mc", "d1")
REGULARIZERS = ("sft", "kl", "none")


@dataclass
class RLConfig:
    # Paths: relative to the config file's folder (see config_files).
    init_checkpoint: str = field(default=str(TRAIN_DIR / "checkpoints/lavida-r1-tiny"), metadata=INPUT)
    tokenizer: str = field(default=str(TRAIN_DIR / "checkpoints/lavida-r1-tiny/tokenizer.json"), metadata=INPUT)
    mixture: dict[str, float] = field(
        default_factory=lambda: {"math": 1.0, "chart": 1.0, "mcq": 1.0, "grounding": 1.0, "edit": 0.0}
    )
    answer_lengths: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ANSWER_LENGTHS))
    prompts_per_step: int = 4  # groups of online rollouts per step
    group_size: int = 4  # N rollouts per prompt
    sft_per_step: int = 4  # ground-truth samples with A = 1 (the "sft" regularizer)
    temperature: float = 1.0  # rollout sampling temperature of text (reasoning, plans)
    box_temperature: float = 0.5  # grounding rollouts: temperature of the one-pass draw over the LOC bins
    tokens_per_step: int = 2  # text rollouts decode gen_length / this many steps
    image_steps: int = 16  # edit rollouts: image denoising steps
    image_temperature: float = 1.0
    gamma: float = 0.5  # A = gamma * A_distill + (1 - gamma) * A_GRPO
    reward_noise_floor: float = 0.1  # GRPO std floor and least reward distilled (advantages.py)
    answer_forcing: float = 0.1  # probability of an answer-forced rollout when a whole group fails
    success_threshold: float = 0.5  # a rollout "fails" below this reward
    tree_rounds: int = 1  # edits: k rounds of N rollouts; rounds after the first branch from the best
    branch_step: int = 2  # edits: image step to branch from (8 of 64 upstream; 2 of 16 here)
    regularizer: str = "sft"  # "sft" (SFT samples in the batch), "kl" (k3 KL to the initial model), "none"
    kl_beta: float = 0.05
    estimator: str = "complementary"  # log-likelihood estimator, one of ESTIMATORS (rl/likelihood.py)
    mc_samples: int = 2
    format_reward: float = 0.0  # weight of the format reward added to the correctness reward
    reward_endpoint: str | None = None  # edits: POST to this URL instead of the world's oracle judge
    lr: float = 2e-5
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    steps: int = 200
    seed: int = 0
    threads: int = 2
    save_every: int = 20
    log_every: int = 1
    out: str = field(default=str(TRAIN_DIR / "runs/rl-tiny"), metadata=OUTPUT)

    @classmethod
    def from_file(cls, path: str | Path) -> "RLConfig":
        return read_config(cls, path, "RL")

    def validate(self) -> None:
        if (
            not self.mixture
            or set(self.mixture) - set(FAMILIES)
            or min(self.mixture.values()) < 0
            or sum(self.mixture.values()) <= 0
        ):
            raise ValueError(f"mixture must give non-negative weights (not all zero) to a subset of {list(FAMILIES)}")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {list(ESTIMATORS)}, got {self.estimator!r}")
        if self.regularizer not in REGULARIZERS:
            raise ValueError(f"regularizer must be one of {list(REGULARIZERS)}, got {self.regularizer!r}")
        if self.group_size < 2:
            raise ValueError("group_size must be at least 2 (advantages are relative within a group)")
        if self.prompts_per_step < 1 or self.steps < 1 or self.sft_per_step < 0:
            raise ValueError("prompts_per_step and steps must be positive, sft_per_step non-negative")
        if not 0 <= self.gamma <= 1 or not 0 <= self.answer_forcing <= 1:
            raise ValueError("gamma and answer_forcing are probabilities in [0, 1]")
        if self.reward_noise_floor <= 0 or self.box_temperature < 0:
            raise ValueError("reward_noise_floor must be positive and box_temperature non-negative")
        if self.tree_rounds < 1 or not 0 <= self.branch_step < self.image_steps:
            raise ValueError("tree_rounds must be >= 1 and 0 <= branch_step < image_steps")
