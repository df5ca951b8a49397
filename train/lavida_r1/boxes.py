"""LOC bins <-> pixel boxes (LaViDa-O grounding).

Bins quantise coordinates on the image padded to a square, image centred (the same padding as the
understanding path's square views), into 1025 levels: bin = round(coord_on_square / side * 1024).
Kept free of torch so data generation can use it cheaply.
"""
from __future__ import annotations

NUM_LOC_BINS = 1025


def _square_offsets(size: tuple[int, int]) -> tuple[int, int, int]:
    width, height = size
    side = max(width, height)
    return side, (side - width) // 2, (side - height) // 2


def bins_to_box(bins: list[int], original_size: tuple[int, int], num_bins: int = NUM_LOC_BINS) -> list[float]:
    """LOC bins → (x1, y1, x2, y2) in original-image pixels, clipped to the image."""
    side, off_x, off_y = _square_offsets(original_size)
    width, height = original_size
    scale = side / (num_bins - 1)
    x1, y1, x2, y2 = (b * scale for b in bins)
    clip = lambda v, hi: min(max(v, 0.0), float(hi))
    return [clip(x1 - off_x, width), clip(y1 - off_y, height), clip(x2 - off_x, width), clip(y2 - off_y, height)]


def box_to_bins(box: list[float], original_size: tuple[int, int], num_bins: int = NUM_LOC_BINS) -> list[int]:
    """(x1, y1, x2, y2) in original-image pixels → LOC bins (round half to even, as Python's round)."""
    side, off_x, off_y = _square_offsets(original_size)
    offsets = (off_x, off_y, off_x, off_y)
    return [min(max(round((v + o) / side * (num_bins - 1)), 0), num_bins - 1) for v, o in zip(box, offsets)]
