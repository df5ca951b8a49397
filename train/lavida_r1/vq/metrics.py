"""Reconstruction and codebook metrics on plain arrays."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def to_uint8(pixels: Tensor) -> np.ndarray:
    """[B, 3, S, S] in [-1, 1] → uint8 [B, S, S, 3], the inverse of `data.to_pixels` (rounded)."""
    scaled = ((pixels.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return scaled.permute(0, 2, 3, 1).numpy()


def reconstruction_metrics(original: np.ndarray, decoded: np.ndarray) -> dict[str, float | None]:
    """uint8 [B, H, W, 3] pairs. PSNR is None when the round trip is lossless (infinite)."""
    diff = original.astype(np.float64) - decoded.astype(np.float64)
    mse = float(np.mean(diff**2))
    return {
        "mean_abs_error_255": float(np.mean(np.abs(diff))),
        "psnr_db": None if mse == 0 else 10 * math.log10(255.0**2 / mse),
        "exact_pixel_fraction": float(np.mean(np.all(diff == 0, axis=-1))),
        "exact_image_fraction": float(np.mean(np.all(diff == 0, axis=(1, 2, 3)))),
    }


def codebook_metrics(ids: np.ndarray, codebook_size: int) -> dict[str, float | int]:
    """Distinct codes used and the perplexity exp(H) of the code histogram."""
    counts = np.bincount(ids.ravel(), minlength=codebook_size).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    used = int((counts > 0).sum())
    return {
        "codes_used": used,
        "codebook_size": codebook_size,
        "codebook_usage": used / codebook_size,
        "perplexity": float(np.exp(-(p * np.log(p)).sum())),
    }


def code_retention(
    source_ids: np.ndarray, target_ids: np.ndarray, unchanged: np.ndarray, kinds: list[str]
) -> dict[str, dict[str, float | int | None]]:
    """Ids [P, h, w] of the sources and targets of P edits, their unchanged cells (bool [P, h, w]) and edit types →
    per type and "all": the unchanged cells and the share of them whose code is the same in source and target
    (None where an edit type leaves no cell unchanged)."""
    kept = (source_ids == target_ids) & unchanged
    groups = {kind: [i for i, k in enumerate(kinds) if k == kind] for kind in sorted(set(kinds))}
    groups["all"] = list(range(len(kinds)))
    result: dict[str, dict[str, float | int | None]] = {}
    for name, rows in groups.items():
        cells, same = int(unchanged[rows].sum()), int(kept[rows].sum())
        result[name] = {"unchanged_cells": cells, "retention": same / cells if cells else None}
    return result
