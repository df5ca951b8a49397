"""Pathway pretraining configuration (`python -m lavida_r1.sft.pathway`), read from a JSON file; every field
optional."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config_files import INPUT, OUTPUT, TRAIN_DIR, read_config
from ..world import kinds
from .schedule import split_key

# Scenes of 2-5 objects, of 1-2, and lone objects of every size, in turn: the tower sees crowded scenes and
# every object size the questions ask about.
DEFAULT_KINDS = ["shape_of", "shape_of_few", "large", "medium", "small", "tiny"]


@dataclass
class PathwayConfig:
    preset: str = "tiny"
    seed: int = 0  # the model's initialisation (the LM's too: it is saved with the pathway for SFT to start from)
    # Start from another run's model (a pathway's OUT/latest/model, an SFT run's OUT/latest/ema) and readout heads
    # (OUT/latest) instead of a fresh init; heads saved before the box and place heads existed keep fresh ones.
    init_checkpoint: str | None = field(default=None, metadata=INPUT)
    init_object_readout: str | None = field(default=None, metadata=INPUT)
    init_std: float = 0.02
    kinds: list[str] = field(default_factory=lambda: list(DEFAULT_KINDS))  # of the world's `name` family
    # Images with text (mixture keys, e.g. "read:small", "chart", "mcq:digit_sum") after the `name` kinds, in turn,
    # for the glyph readout (`glyph_readout.py`); both or neither.
    text_kinds: list[str] = field(default_factory=list)
    glyph_readout_weight: float = 0.0
    init_glyph_readout: str | None = field(default=None, metadata=INPUT)  # a training state with glyph heads
    batch_size: int = 16  # images per step
    steps: int = 12000
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup_steps: int = 100
    weight_decay: float = 0.1
    eval_every: int = 250  # readout accuracy, box and place errors on `eval_images` held-out 2-5-object scenes
    eval_images: int = 64
    threads: int = 2
    save_every: int = 250
    log_every: int = 50
    out: str = field(default=str(TRAIN_DIR / "runs/pathway-tiny"), metadata=OUTPUT)

    @classmethod
    def from_file(cls, path: str | Path) -> "PathwayConfig":
        return read_config(cls, path, "pathway")

    def validate(self) -> None:
        unknown = sorted(set(self.kinds) - set(kinds("name")))
        if not self.kinds or unknown:
            raise ValueError(f"kinds must be a non-empty list of {list(kinds('name'))}; unknown: {unknown}")
        for family, kind in map(split_key, self.text_kinds):
            if kind not in (None, *kinds(family)):
                raise ValueError(f"unknown kind {kind!r} of {family}; expected one of {list(kinds(family))}")
        if bool(self.text_kinds) != (self.glyph_readout_weight > 0) or self.glyph_readout_weight < 0:
            raise ValueError("text_kinds and a positive glyph_readout_weight go together (both or neither)")
        if self.init_glyph_readout and not self.text_kinds:
            raise ValueError("init_glyph_readout needs text_kinds and a glyph_readout_weight")
        if min(self.batch_size, self.steps, self.eval_every, self.eval_images, self.save_every) < 1:
            raise ValueError("batch_size, steps, eval_every, eval_images and save_every must be positive")
        if not 0 < self.min_lr <= self.lr or self.warmup_steps < 0:
            raise ValueError("need 0 < min_lr <= lr and warmup_steps >= 0")
