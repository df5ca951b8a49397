"""Sizes of the synthetic world's images."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorldConfig:
    """Image sizes. Edit images sit on a coarse grid so a VQ tokenizer with `edit_grid`-pixel cells sees
    object edges exactly on cell boundaries (small objects are a quarter of the side, offset by an eighth)."""

    understand_size: int = 128
    edit_size: int = 64
    edit_grid: int = 8

    def __post_init__(self) -> None:
        if self.understand_size < 96:
            raise ValueError("understand_size must be at least 96 (charts and text need the room)")
        if self.edit_size % 8 or (self.edit_size // 8) % self.edit_grid:
            raise ValueError("edit_size / 8 must be a multiple of edit_grid so edits stay grid-aligned")
