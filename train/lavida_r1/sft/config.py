"""SFT run configuration, read from a JSON file (every field optional; defaults train lavida-r1-tiny)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config_files import INPUT, OUTPUT, TRAIN_DIR, read_config
from ..data.examples import DEFAULT_ANSWER_LENGTHS
from ..world import kinds
from ..world.sample import FAMILIES as BENCHMARK_FAMILIES, TRAINING_FAMILIES
from .schedule import split_key

DEFAULT_MIXTURE = {"math": 1.0, "chart": 1.0, "mcq": 1.0, "grounding": 0.6, "edit": 0.6}
FAMILIES = set(BENCHMARK_FAMILIES + TRAINING_FAMILIES)


@dataclass
class SFTConfig:
    preset: str = "tiny"
    # Paths: relative to the config file's folder (see config_files).
    init_checkpoint: str | None = field(default=None, metadata=INPUT)  # start from these weights, not a fresh init
    # A training state folder (`latest/` of a pathway pretraining or an SFT run) whose object readout heads
    # start this run's (with `init_checkpoint`: that run's model/, so the heads meet the tokens they were trained on).
    init_object_readout: str | None = field(default=None, metadata=INPUT)
    # ... whose glyph readout heads start this run's (a pathway pretraining with `text_kinds`).
    init_glyph_readout: str | None = field(default=None, metadata=INPUT)
    vq_checkpoint: str | None = field(default=None, metadata=INPUT)  # folder holding vqvae/ (the VQ tokenizer); frozen
    tokenizer: str = field(default=str(TRAIN_DIR / "checkpoints/lavida-r1-tiny/tokenizer.json"), metadata=INPUT)
    system_prompt: bool = False  # include the LLaDA system turn in prompts
    mixture: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIXTURE))
    # Keys: a family, or `family:kind` for one kind of it (e.g. "spot:small"; see `world.kinds`).
    # Curriculum: [{"until": STEP, "mixture": {...}}, ...] in increasing order; `mixture` after the last.
    curriculum: list[dict] = field(default_factory=list)
    answer_lengths: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ANSWER_LENGTHS))
    batch_size: int = 16
    steps: int = 3000
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup_steps: int = 100
    weight_decay: float = 0.01
    # The vision tower, pool and projector: upstream fine-tunes them ~10x slower than the LM. With pre-norm
    # blocks the LM is blind to the scale of image embeddings, so only weight decay holds it in check.
    vision_lr_scale: float = 0.1
    vision_weight_decay: float = 0.1
    ema_decay: float = 0.0  # >0: an EMA of the weights, saved as latest/ema (what is published)
    monitor_every: int = 0  # >0: log image reliance and the image/text norm ratio this often
    grad_clip: float = 1.0
    loc_sigma: float = 0.0  # >0: Gaussian soft targets over LOC bins (σ in bins)
    # >0: the weight of the view readout (every image token reconstructs its pixels at `view_readout_cell`
    # px; see view_readout), which keeps a from-scratch tower's tokens informative while the LM learns.
    view_readout_weight: float = 0.0
    view_readout_cell: int = 2
    # >0: the weight of the object readout (every image token names the colour and shape of the object it shows;
    # see object_readout), so that a scene's tokens each carry their object and a question can find one.
    object_readout_weight: float = 0.0
    # >0: the weight of the glyph readout (every image token names the characters it shows; see glyph_readout),
    # on the images that draw text, so that the tokens keep reading while the LM learns.
    glyph_readout_weight: float = 0.0
    # Condition dropout on edit rows (see condition_dropout): the share trained without the source image, and
    # without image and instruction, so classifier-free guidance has both unconditional variants to contrast.
    edit_drop_image: float = 0.0
    edit_drop_all: float = 0.0
    # Weight of an edit target's VQ tokens whose code differs from the source's (1: uniform). Most of a target
    # copies its source, so a uniform loss is dominated by copying; the changed cells are what must be drawn.
    edit_changed_weight: float = 1.0
    init_std: float = 0.02
    seed: int = 0  # data (world train split) and masking streams
    threads: int = 2
    save_every: int = 100
    log_every: int = 10
    out: str = field(default=str(TRAIN_DIR / "runs/sft-tiny"), metadata=OUTPUT)

    @classmethod
    def from_file(cls, path: str | Path) -> "SFTConfig":
        return read_config(cls, path, "SFT")

    def mixtures(self) -> list[dict[str, float]]:
        return [phase["mixture"] for phase in self.curriculum] + [self.mixture]

    def mixture_at(self, step: int) -> dict[str, float]:
        return next((phase["mixture"] for phase in self.curriculum if step < phase["until"]), self.mixture)

    def validate(self) -> None:
        for mixture in self.mixtures():
            keys = [split_key(key) for key in mixture]
            if not mixture or {f for f, _ in keys} - FAMILIES or min(mixture.values()) < 0:
                raise ValueError(
                    f"a mixture must weight a subset of {sorted(FAMILIES)} (or `family:kind`) with non-negative weights"
                )
            for family, kind in keys:
                if kind is not None and kind not in kinds(family):
                    raise ValueError(f"unknown kind {kind!r} of {family}; expected one of {list(kinds(family))}")
            if sum(mixture.values()) <= 0:
                raise ValueError("mixture weights must not all be zero")
            if any(f == "edit" and w > 0 for (f, _), w in zip(keys, mixture.values())) and not self.vq_checkpoint:
                raise ValueError("edit samples need vq_checkpoint (a trained VQ tokenizer)")
        ends = [phase.get("until") for phase in self.curriculum]
        if any(not isinstance(e, int) for e in ends) or ends != sorted(set(ends)):
            raise ValueError("curriculum phases need increasing integer `until` steps")
        if not 0 <= self.ema_decay < 1 or self.vision_lr_scale <= 0 or self.monitor_every < 0:
            raise ValueError("ema_decay must be in [0, 1), vision_lr_scale > 0, monitor_every >= 0")
        if self.batch_size < 1 or self.steps < 1:
            raise ValueError("batch_size and steps must be positive")
        if min(self.edit_drop_image, self.edit_drop_all) < 0 or self.edit_drop_image + self.edit_drop_all > 1:
            raise ValueError("edit_drop_image and edit_drop_all must be >= 0 and add up to at most 1")
        if self.edit_changed_weight <= 0:
            raise ValueError("edit_changed_weight must be > 0")
        if self.init_object_readout and not self.object_readout_weight:
            raise ValueError("init_object_readout needs object_readout_weight > 0")
        if self.init_glyph_readout and not self.glyph_readout_weight:
            raise ValueError("init_glyph_readout needs glyph_readout_weight > 0")
        weights = (self.view_readout_weight, self.object_readout_weight, self.glyph_readout_weight)
        if min(self.loc_sigma, *weights) < 0 or self.view_readout_cell < 1:
            raise ValueError("loc_sigma and the readout weights must be >= 0, view_readout_cell >= 1")
