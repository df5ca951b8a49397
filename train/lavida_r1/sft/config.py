"""SFT run configuration, read from a JSON file (every field optional; defaults train lavida-r1-tiny)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config_files import config_json, read_config

DEFAULT_MIXTURE = {"math": 1.0, "chart": 1.0, "mcq": 1.0, "grounding": 0.6, "edit": 0.6}
# Answer canvas length per family (text tokens; an edit's plan region, before its image slots).
DEFAULT_ANSWER_LENGTHS = {"math": 64, "chart": 80, "mcq": 48, "edit": 64}


@dataclass
class SFTConfig:
    preset: str = "tiny"
    init_checkpoint: str | None = None       # start from these weights instead of a fresh init
    vq_checkpoint: str | None = None         # folder holding vqvae/ (the trained VQ tokenizer); frozen
    tokenizer: str = "checkpoints/lavida-r1-tiny/tokenizer.json"
    system_prompt: bool = False              # include the LLaDA system turn in prompts
    mixture: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIXTURE))
    answer_lengths: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ANSWER_LENGTHS))
    batch_size: int = 16
    steps: int = 3000
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup_steps: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    loc_sigma: float = 0.0                   # >0: Gaussian soft targets over LOC bins (σ in bins)
    init_std: float = 0.02
    seed: int = 0                            # data (world train split) and masking streams
    threads: int = 2
    save_every: int = 100
    log_every: int = 10
    out: str = "runs/sft-tiny"

    @classmethod
    def from_file(cls, path: str | Path) -> "SFTConfig":
        return read_config(cls, path, "SFT")

    def validate(self) -> None:
        families = {"math", "chart", "mcq", "grounding", "edit"}
        if not self.mixture or set(self.mixture) - families or min(self.mixture.values()) < 0:
            raise ValueError(f"mixture must weight a subset of {sorted(families)} with non-negative weights")
        if sum(self.mixture.values()) <= 0:
            raise ValueError("mixture weights must not all be zero")
        if "edit" in self.mixture and self.mixture["edit"] > 0 and not self.vq_checkpoint:
            raise ValueError("edit samples need vq_checkpoint (a trained VQ tokenizer)")
        if self.batch_size < 1 or self.steps < 1:
            raise ValueError("batch_size and steps must be positive")
        if self.loc_sigma < 0:
            raise ValueError("loc_sigma must be >= 0")

    def to_json(self) -> str:
        return config_json(self)
