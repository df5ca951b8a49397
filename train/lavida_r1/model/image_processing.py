"""Pixel preprocessing for the understanding path and for grounding coordinates.

Anyres (LLaVA-NeXT): pick the pinpoint resolution that keeps the most of the image while wasting the least,
resize the image to fit it (aspect kept, bicubic) and centre it on black padding, cut it into vision-size crops
(row-major), and prepend a base view: the whole image padded to a square with the mean colour, then resized.
Pixels are normalised with SigLIP's mean/std (0.5/0.5). The TypeScript engine mirrors these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageOps

from .config import LavidaConfig

SIGLIP_MEAN = (0.5, 0.5, 0.5)
SIGLIP_STD = (0.5, 0.5, 0.5)
# expand2square's background: the normalisation mean as an 8-bit colour.
SQUARE_FILL = tuple(int(m * 255) for m in SIGLIP_MEAN)


@dataclass
class AnyresImage:
    pixel_values: torch.Tensor  # [1 + cols*rows, 3, S, S], base view first
    grid: tuple[int, int]  # (cols, rows) of crops
    original_size: tuple[int, int]  # (width, height) after EXIF orientation


def to_rgb(image: Image.Image) -> Image.Image:
    """EXIF orientation applied, alpha flattened onto white, mode RGB."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def select_best_resolution(original_size: tuple[int, int], candidates: list[tuple[int, int]]) -> tuple[int, int]:
    """The (width, height) candidate with the largest effective resolution, then the least waste."""
    orig_w, orig_h = original_size
    best, best_effective, best_waste = candidates[0], -1, float("inf")
    for width, height in candidates:
        scale = min(width / orig_w, height / orig_h)
        down_w, down_h = int(orig_w * scale), int(orig_h * scale)
        effective = min(down_w * down_h, orig_w * orig_h)
        waste = width * height - effective
        if effective > best_effective or (effective == best_effective and waste < best_waste):
            best, best_effective, best_waste = (width, height), effective, waste
    return best


def resize_and_pad(
    image: Image.Image, target: tuple[int, int], resample: Image.Resampling = Image.Resampling.BICUBIC
) -> Image.Image:
    """Fit inside `target` keeping the aspect ratio, centred on black (zero)."""
    target_w, target_h = target
    orig_w, orig_h = image.size
    if target_w / orig_w < target_h / orig_h:
        new_w, new_h = target_w, min(int(np.ceil(orig_h * target_w / orig_w)), target_h)
    else:
        new_h, new_w = target_h, min(int(np.ceil(orig_w * target_h / orig_h)), target_w)
    resized = image.resize((new_w, new_h), resample)
    canvas = Image.new(image.mode, target, 0)
    canvas.paste(resized, ((target_w - new_w) // 2, (target_h - new_h) // 2))
    return canvas


def expand_to_square(image: Image.Image, fill: tuple[int, int, int] | int = SQUARE_FILL) -> Image.Image:
    """Pad to a square, image centred (the grounding and base-view convention)."""
    width, height = image.size
    side = max(width, height)
    canvas = Image.new(image.mode, (side, side), fill)
    canvas.paste(image, ((side - width) // 2, (side - height) // 2))
    return canvas


def normalize(image: Image.Image) -> torch.Tensor:
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - np.array(SIGLIP_MEAN, dtype=np.float32)) / np.array(SIGLIP_STD, dtype=np.float32)
    return torch.from_numpy(array.transpose(2, 0, 1).copy())


def anyres_views(
    image: Image.Image,
    config: LavidaConfig,
    resample: Image.Resampling = Image.Resampling.BICUBIC,
    square_fill: tuple[int, int, int] | int = SQUARE_FILL,
) -> tuple[list[Image.Image], tuple[int, int]]:
    """The base view then the crops (row-major), and the (cols, rows) grid. A label map (mode "L", nearest
    resampling, fill 0) goes through the same geometry as the pixels."""
    size = config.vision.image_size
    candidates = [(w * size, h * size) for w, h in config.image_grid_pinpoints]
    target = select_best_resolution(image.size, candidates)
    padded = resize_and_pad(image, target, resample)
    cols, rows = target[0] // size, target[1] // size
    crops = [
        padded.crop((c * size, r * size, (c + 1) * size, (r + 1) * size)) for r in range(rows) for c in range(cols)
    ]
    base = expand_to_square(image, square_fill).resize((size, size), resample)
    return [base, *crops], (cols, rows)


def process_anyres(image: Image.Image, config: LavidaConfig) -> AnyresImage:
    image = to_rgb(image)
    views, grid = anyres_views(image, config)
    return AnyresImage(torch.stack([normalize(v) for v in views]), grid, image.size)


def process_square(image: Image.Image, size: int) -> Image.Image:
    """An edit source or target: padded to square and resized to the VQ resolution."""
    return expand_to_square(to_rgb(image)).resize((size, size), Image.Resampling.BICUBIC)
