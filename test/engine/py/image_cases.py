"""Image-preprocessing parity cases: writes input images into OUT_DIR and returns what the Python reference
makes of them (pixel tensors as base64 float32/uint8)."""

import base64
import io
import random

import numpy as np
from PIL import Image

from lavida_r1.boxes import bins_to_box, box_bin_ranges, box_to_bins
from lavida_r1.model.image_processing import process_anyres, process_square, select_best_resolution
from lavida_r1.model.presets import get_preset
from lavida_r1.model.vision import count_image_tokens, unpadded_shape
from lavida_r1.world import FAMILIES, generate

b64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def photo_like(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Smooth gradients, soft blobs, sharp edges and sensor-like noise."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for ch in range(3):
        img[..., ch] = rng.uniform(0, 255) * (x / max(w, 1)) + rng.uniform(0, 255) * (y / max(h, 1))
        for _ in range(3):
            cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(1, max(w, h, 4) / 2)
            img[..., ch] += rng.uniform(-120, 120) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    img[(x // max(w // 3, 1) + y // max(h // 4, 1)) % 5 == 0] *= 0.5
    img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def exif_with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = image.getexif()
    exif[0x0112] = orientation
    return exif.tobytes()


def build(out_dir: str) -> dict:
    rng = np.random.default_rng(3)
    prng = random.Random(3)
    tiny = get_preset("tiny")
    files: list[tuple[str, bytes]] = []

    def add(name: str, image: Image.Image, fmt: str = "PNG", **kw) -> None:
        buf = io.BytesIO()
        image.save(buf, fmt, **kw)
        files.append((name, buf.getvalue()))

    for family in FAMILIES:
        for index in range(2):
            s = generate(family, "eval", index)
            add(f"world-{family}-{index}.png", s.image)
            if s.target_image is not None:
                add(f"world-{family}-{index}-target.png", s.target_image)
    for i, (w, h) in enumerate([(64, 64), (97, 41), (41, 97), (200, 150), (31, 200), (300, 17), (128, 64), (5, 3)]):
        add(f"photo-{i}.png", Image.fromarray(photo_like(rng, w, h)))
    rgba = np.concatenate([photo_like(rng, 70, 50), rng.integers(0, 256, (50, 70, 1), dtype=np.uint8)], axis=2)
    rgba[:5, :, 3] = 0
    rgba[5:10, :, 3] = 255
    add("alpha-rgba.png", Image.fromarray(rgba, "RGBA"))
    add("alpha-la.png", Image.fromarray(rgba[..., [0, 3]], "LA"))
    add("grey-l.png", Image.fromarray(rgba[..., 1], "L"))
    palette = Image.fromarray(photo_like(rng, 60, 45)).quantize(16)
    add("palette-transparent.png", palette, transparency=3)
    add("palette.png", palette)
    base = Image.fromarray(photo_like(rng, 48, 30))
    for o in range(1, 9):
        add(f"exif-{o}.png", base, exif=exif_with_orientation(base, o))
        add(f"exif-{o}.jpg", base, "JPEG", quality=95, exif=exif_with_orientation(base, o))

    images = []
    for name, data in files:
        with open(f"{out_dir}/{name}", "wb") as f:
            f.write(data)
        image = Image.open(io.BytesIO(data))
        p = process_anyres(image, tiny)
        square = process_square(image, tiny.vq.image_size)
        vq = np.asarray(square, dtype=np.float32) / 127.5 - 1.0
        images.append(
            {
                "file": name,
                "grid": list(p.grid),
                "original_size": list(p.original_size),
                "image_tokens": count_image_tokens(tiny, p.grid, p.original_size),
                "pixel_values": b64(p.pixel_values.numpy().astype(np.float32)),
                "square": b64(np.asarray(square, dtype=np.uint8)),
                "vq_pixels": b64(vq.transpose(2, 0, 1)),
            }
        )

    resizes = []
    for i in range(40):
        w, h = prng.randint(1, 160), prng.randint(1, 160)
        tw, th = prng.choice([(384, 384), (64, 64)]) if i % 4 == 0 else (prng.randint(1, 200), prng.randint(1, 200))
        src = photo_like(rng, w, h) if i % 2 else rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        out = np.asarray(Image.fromarray(src).resize((tw, th), Image.Resampling.BICUBIC))
        resizes.append({"size": [w, h], "target": [tw, th], "src": b64(src), "out": b64(out)})

    upstream = get_preset("lavida-o-10b")
    geometry = []
    for _ in range(300):
        size = (prng.randint(1, 3000), prng.randint(1, 3000))
        for c in (tiny, upstream):
            s = c.vision.image_size
            best = select_best_resolution(size, [(w * s, h * s) for w, h in c.image_grid_pinpoints])
            grid = (best[0] // s, best[1] // s)
            geometry.append(
                {
                    "preset": "tiny" if c is tiny else "upstream",
                    "size": list(size),
                    "best": list(best),
                    "tokens": count_image_tokens(c, grid, size),
                    "unpadded": list(unpadded_shape(grid[1] * 13, grid[0] * 13, size)),
                }
            )
    boxes = []
    for _ in range(300):
        w, h = prng.randint(1, 2000), prng.randint(1, 2000)
        box = [prng.uniform(-20, w + 20), prng.uniform(-20, h + 20), prng.uniform(0, w), prng.uniform(0, h)]
        if prng.random() < 0.3:
            box = [float(prng.randint(0, w)) for _ in range(2)] + [float(prng.randint(0, h)) for _ in range(2)]
        bins = [prng.randint(0, 1024) for _ in range(4)]
        boxes.append(
            {
                "size": [w, h],
                "box": box,
                "bins": box_to_bins(box, (w, h)),
                "some_bins": bins,
                "back": bins_to_box(bins, (w, h)),
                "ranges": box_bin_ranges((w, h)),
            }
        )
    return {
        "tiny": tiny.to_dict(),
        "upstream": upstream.to_dict(),
        "images": images,
        "resizes": resizes,
        "geometry": geometry,
        "boxes": boxes,
    }
