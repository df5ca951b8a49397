"""Held-out report: encode → ids → decode with the model's own helpers, compared in uint8; on (source, target)
pairs also the code retention in unchanged cells and the oracle judge's score of the targets' round trip."""

from __future__ import annotations

import numpy as np
from diffusers import VQModel
from PIL import Image
from torch import Tensor

from ..model.generation import vq_decode, vq_encode
from ..world.oracle_judge import judge_scores
from .locality import unchanged_cells
from .metrics import code_retention, codebook_metrics, reconstruction_metrics, to_uint8


def round_trip(vqvae: VQModel, pixels: Tensor, chunk: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(originals uint8 [B, S, S, 3], decoded uint8 [B, S, S, 3], ids [B, h, w])."""
    originals, decoded, ids = [], [], []
    for part in pixels.split(chunk):
        codes = vq_encode(vqvae, part)
        ids.append(codes.numpy())
        decoded.append(to_uint8(vq_decode(vqvae, codes)))
        originals.append(to_uint8(part))
    return np.concatenate(originals), np.concatenate(decoded), np.concatenate(ids)


def oracle_scores(originals: np.ndarray, decoded: np.ndarray) -> list[float]:
    """Per (source, target) pair: the oracle judge's mean 1-5 score of the decoded target."""
    image = Image.fromarray
    return [
        sum(judge_scores(image(decoded[i + 1]), image(originals[i + 1]), image(originals[i]))) / 3
        for i in range(0, len(originals), 2)
    ]


def edit_report(vqvae: VQModel, pixels: Tensor, kinds: list[str]) -> dict:
    """`pixels` holds (source, target) pairs interleaved, `kinds` the edit type of each pair: reconstruction and
    codebook metrics over all images, code retention in the unchanged cells per edit type, and the oracle score of
    the exact targets' round trip per edit type (the ceiling of any edit made through this tokenizer)."""
    originals, decoded, ids = round_trip(vqvae, pixels)
    cell = pixels.shape[-1] // ids.shape[-1]
    unchanged = unchanged_cells(pixels[0::2], pixels[1::2], cell).numpy()
    scores = np.array(oracle_scores(originals, decoded))
    oracle = {kind: float(scores[[k == kind for k in kinds]].mean()) for kind in sorted(set(kinds))}
    return {
        "images": int(pixels.shape[0]),
        **reconstruction_metrics(originals, decoded),
        **codebook_metrics(ids, vqvae.quantize.n_e),
        "code_retention": code_retention(ids[0::2], ids[1::2], unchanged, kinds),
        "oracle_round_trip_of_targets": {**oracle, "all": float(scores.mean())},
    }


def quick_eval(vqvae: VQModel, pixels: Tensor) -> tuple[float, float, float | None]:
    """(exact pixel fraction, mean abs error 0-255, code retention in unchanged cells) of (source, target) pairs,
    for the training log."""
    originals, decoded, ids = round_trip(vqvae, pixels)
    m = reconstruction_metrics(originals, decoded)
    unchanged = unchanged_cells(pixels[0::2], pixels[1::2], pixels.shape[-1] // ids.shape[-1]).numpy()
    retention = code_retention(ids[0::2], ids[1::2], unchanged, ["all"] * unchanged.shape[0])["all"]["retention"]
    return float(m["exact_pixel_fraction"]), float(m["mean_abs_error_255"]), retention
