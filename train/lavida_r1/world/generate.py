"""One entry point for every family: a sample is a pure function of (family, split, index, base_seed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import chart_tasks, edit_tasks, grounding_tasks, math_tasks, mcq_tasks, perception_tasks
from .config import WorldConfig
from .font import recording_glyphs
from .sample import FAMILIES, TRAINING_FAMILIES, Sample
from .seeds import sample_rng

_MAKERS = {
    "math": math_tasks.make,
    "chart": chart_tasks.make,
    "mcq": mcq_tasks.make,
    "grounding": grounding_tasks.make,
    "edit": edit_tasks.make,
    "caption": perception_tasks.make_caption,
    "locate": perception_tasks.make_locate,
    "spot": perception_tasks.make_spot,
    "read": perception_tasks.make_read,
    "name": perception_tasks.make_name,
}
_KINDS: dict[str, tuple[str, ...]] = {
    "math": tuple(math_tasks.KINDS),
    "chart": chart_tasks.HUMAN_KINDS + chart_tasks.AUGMENTED_KINDS,
    "mcq": tuple(mcq_tasks.KIND_MAX_OPTIONS),
    "grounding": grounding_tasks.KINDS,
    "edit": edit_tasks.EDIT_TYPES,
    "caption": tuple(perception_tasks.CAPTION_KINDS),
    "locate": ("name",),
    "spot": tuple(perception_tasks.SPOT_SIZES),
    "read": perception_tasks.READ_KINDS,
    "name": perception_tasks.NAME_KINDS,
}
assert tuple(_MAKERS) == tuple(_KINDS) == FAMILIES + TRAINING_FAMILIES


def kinds(family: str) -> tuple[str, ...]:
    """The values `generate(family, ..., kind=...)` accepts (for edit, the edit types)."""
    if family not in _KINDS:
        raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES + TRAINING_FAMILIES}")
    return _KINDS[family]


def generate(
    family: str, split: str, index: int, base_seed: int = 0, config: WorldConfig | None = None, **options: Any
) -> Sample:
    """Options by family: kind= (every family; for edit the edit type), setting="standard"|"vision" (mcq),
    split_type="human_test"|"augmented_test" (chart). The training-only families (`caption`, `locate`, `spot`, `read`,
    `name`) are the perception stage of `perception_tasks`. The sample's meta holds `drawn_glyphs`: every character
    drawn on its image (`font.Glyph`), the glyph readout's labels."""
    if family not in _MAKERS:
        raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES + TRAINING_FAMILIES}")
    rng = sample_rng(split, family, index, base_seed)
    with recording_glyphs() as glyphs:
        sample = _MAKERS[family](rng, config or WorldConfig(), f"{family}-{split}-{index}", **options)
    sample.meta["drawn_glyphs"] = glyphs
    return sample


def iter_samples(
    family: str,
    split: str,
    count: int,
    base_seed: int = 0,
    config: WorldConfig | None = None,
    start: int = 0,
    **options: Any,
) -> Iterator[Sample]:
    for index in range(start, start + count):
        yield generate(family, split, index, base_seed, config, **options)
