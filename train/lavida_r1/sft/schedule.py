"""Which family each SFT step trains: balanced blocks instead of independent draws.

Steps come in blocks of BLOCK; a block holds each family a number of times proportional to its mixture weight
(largest remainders), in an order shuffled per block. Over any block the families are exactly on their
shares, where independent draws drift by several steps per hundred. A pure function of (seed, step, mixture).
A mixture key is a family or `family:kind`, one kind of it (e.g. `spot:small`), so a curriculum can move
through a family's kinds.
"""
from __future__ import annotations

import math
import random
from functools import lru_cache

BLOCK = 64


def split_key(key: str) -> tuple[str, str | None]:
    """A mixture key -> (family, kind or None for the family's own mix of kinds)."""
    family, _, kind = key.partition(":")
    return family, kind or None


def family_at(seed: int, step: int, mixture: dict[str, float]) -> str:
    """The mixture key step `step` trains."""
    order = _block_order(seed, step // BLOCK, tuple(sorted(mixture.items())))
    return order[step % BLOCK]


def block_counts(mixture: dict[str, float]) -> dict[str, int]:
    """Steps per family in one block; every weighted family gets at least one."""
    weighted = {f: w for f, w in sorted(mixture.items()) if w > 0}
    total = sum(weighted.values())
    ideal = {f: BLOCK * w / total for f, w in weighted.items()}
    counts = {f: max(1, math.floor(x)) for f, x in ideal.items()}
    by_remainder = sorted(weighted, key=lambda f: (counts[f] - ideal[f], f))
    for f in by_remainder[:BLOCK - sum(counts.values())]:
        counts[f] += 1
    if sum(counts.values()) != BLOCK:
        raise ValueError(f"a mixture of {len(weighted)} families cannot fill blocks of {BLOCK} steps by its weights")
    return counts


@lru_cache(maxsize=8)
def _block_order(seed: int, block: int, mixture: tuple[tuple[str, float], ...]) -> list[str]:
    order = [f for f, n in block_counts(dict(mixture)).items() for _ in range(n)]
    random.Random(f"sft/{seed}/block/{block}").shuffle(order)
    return order
