"""Held-out reconstruction report: encode → ids → decode with the model's own helpers, compared in uint8."""
from __future__ import annotations

import numpy as np
from diffusers import VQModel
from torch import Tensor

from ..model.generation import vq_decode, vq_encode
from .metrics import codebook_metrics, reconstruction_metrics, to_uint8


def evaluate(vqvae: VQModel, pixels: Tensor, chunk: int = 64) -> dict[str, float | int | None]:
    originals, decoded, ids = [], [], []
    for part in pixels.split(chunk):
        codes = vq_encode(vqvae, part)
        ids.append(codes.numpy())
        decoded.append(to_uint8(vq_decode(vqvae, codes)))
        originals.append(to_uint8(part))
    return {"images": int(pixels.shape[0]),
            **reconstruction_metrics(np.concatenate(originals), np.concatenate(decoded)),
            **codebook_metrics(np.concatenate(ids), vqvae.quantize.n_e)}


def quick_eval(vqvae: VQModel, pixels: Tensor) -> tuple[float, float]:
    """(exact pixel fraction, mean abs error 0-255) for the training log."""
    m = evaluate(vqvae, pixels)
    return float(m["exact_pixel_fraction"]), float(m["mean_abs_error_255"])
