"""Per-sample seeds.

seed = (split id << 60) | low 60 bits of sha256(f"{base_seed}/{split}/{family}/{index}").
The split id sits in the top bits, so two different splits can never produce the same seed, whatever
the base seed, family or index; the hash spreads families and indices over the remaining 60 bits.
"""

from __future__ import annotations

import hashlib
import random

SPLITS: dict[str, int] = {"train": 1, "eval": 2, "test": 3}
_LOW_BITS = 60


def sample_seed(split: str, family: str, index: int, base_seed: int = 0) -> int:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {sorted(SPLITS)}")
    if index < 0:
        raise ValueError("index must be non-negative")
    digest = hashlib.sha256(f"{base_seed}/{split}/{family}/{index}".encode()).digest()
    low = int.from_bytes(digest[:8], "big") & ((1 << _LOW_BITS) - 1)
    return (SPLITS[split] << _LOW_BITS) | low


def sample_rng(split: str, family: str, index: int, base_seed: int = 0) -> random.Random:
    return random.Random(sample_seed(split, family, index, base_seed))
