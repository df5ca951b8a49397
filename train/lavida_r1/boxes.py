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


def _pixel(b: int, side: int, offset: int, num_bins: int) -> float:
    """A bin's coordinate on the image (before clipping)."""
    return b * (side / (num_bins - 1)) - offset


def bins_to_box(bins: list[int], original_size: tuple[int, int], num_bins: int = NUM_LOC_BINS) -> list[float]:
    """LOC bins → (x1, y1, x2, y2) in original-image pixels, clipped to the image."""
    side, off_x, off_y = _square_offsets(original_size)
    width, height = original_size
    clip = lambda v, hi: min(max(v, 0.0), float(hi))
    return [clip(_pixel(b, side, o, num_bins), e) for b, o, e in zip(bins, (off_x, off_y) * 2, original_size * 2)]


def box_bin_ranges(original_size: tuple[int, int] | None, num_bins: int = NUM_LOC_BINS) -> list[tuple[int, int]]:
    """Per slot x1, y1, x2, y2, the inclusive bin range that keeps a box valid in pixels.

    Clipping maps every bin in the padding to the image's edge, so strict bins (x1 < x2) alone do not give
    x2 > x1 in pixels. With x1 < x2 in bins, x2 > x1 after `bins_to_box` holds exactly when x1 maps left of the
    image's right edge and x2 right of its left edge: x1 runs up to the largest bin of 0..num_bins-2 whose
    coordinate is < width, x2 from the smallest bin of 1..num_bins-1 whose coordinate is > 0 (the same for y). None (no image): the
    ranges of a square image, (0, num_bins - 2) and (1, num_bins - 1), i.e. the bins alone.
    """
    size = original_size or (1, 1)
    side, off_x, off_y = _square_offsets(size)
    last = [
        max(b for b in range(num_bins - 1) if _pixel(b, side, o, num_bins) < e) for o, e in zip((off_x, off_y), size)
    ]
    first = [min(b for b in range(1, num_bins) if _pixel(b, side, o, num_bins) > 0) for o in (off_x, off_y)]
    return [(0, last[0]), (0, last[1]), (first[0], num_bins - 1), (first[1], num_bins - 1)]


def box_to_bins(box: list[float], original_size: tuple[int, int], num_bins: int = NUM_LOC_BINS) -> list[int]:
    """(x1, y1, x2, y2) in original-image pixels → LOC bins (round half to even, as Python's round)."""
    side, off_x, off_y = _square_offsets(original_size)
    offsets = (off_x, off_y, off_x, off_y)
    return [min(max(round((v + o) / side * (num_bins - 1)), 0), num_bins - 1) for v, o in zip(box, offsets)]
