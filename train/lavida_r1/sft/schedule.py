"""Which samples each SFT step trains on: the family by balanced blocks instead of independent draws, then
train-split samples of it (`step_samples`).

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

from ..world import Sample, generate

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
    for f in by_remainder[: BLOCK - sum(counts.values())]:
        counts[f] += 1
    if sum(counts.values()) != BLOCK:
        raise ValueError(f"a mixture of {len(weighted)} families cannot fill blocks of {BLOCK} steps by its weights")
    return counts


@lru_cache(maxsize=8)
def _block_order(seed: int, block: int, mixture: tuple[tuple[str, float], ...]) -> list[str]:
    order = [f for f, n in block_counts(dict(mixture)).items() for _ in range(n)]
    random.Random(f"sft/{seed}/block/{block}").shuffle(order)
    return order


def step_samples(
    seed: int, step: int, batch_size: int, mixture: dict[str, float], rows: list[int] | None = None
) -> list[Sample]:
    """The batch of step `step`: one mixture key (`family_at`: a family, or one kind of it), then
    `batch_size` train samples; multiple choice alternates its standard and vision settings within the batch.
    `rows`: only these rows of it (a process's share).

    A pure function of (seed, step), so a resumed run sees exactly the data of an uninterrupted one.
    """
    rows = range(batch_size) if rows is None else rows
    return key_samples(family_at(seed, step, mixture), seed, [step * batch_size + i for i in rows])


def key_samples(key: str, seed: int, indices: list[int], split: str = "train") -> list[Sample]:
    """Samples `indices` of one mixture key; multiple choice alternates its settings by index."""
    family, kind = split_key(key)
    options = lambda i: {
        **({"setting": ("standard", "vision")[i % 2]} if family == "mcq" else {}),
        **({"kind": kind} if kind else {}),
    }
    return [generate(family, split, i, seed, **options(i)) for i in indices]
