"""End-to-end parity: the ONNX pipelines against the PyTorch reference pipelines on held-out world samples.

    python -m lavida_r1.export.parity --package DIR --checkpoint DIR [--n 50] [--families math,...]

Both sides decode each family over its own canvas: the checkpoint's canvases.json on the PyTorch side, the
manifest's on the ONNX side (they must be equal). Per family it counts samples whose outputs agree exactly: the
decoded answer (math, chart, mcq), the box
(grounding), and for edits the plan and the VQ ids (the PyTorch decoder applied to the ONNX ids must give
the reference image bit for bit), and reports the largest pixel difference of the ONNX decoder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from .. import inference
from ..config_files import field_changes
from ..evaluation import eval_samples
from ..model import LavidaForMaskedDiffusion, load_checkpoint
from ..model.canvases import VQA_FAMILIES, read_canvases
from ..model.generation import vq_decode
from ..sampling.text import TextSamplerConfig
from ..world import FAMILIES, Sample
from . import ort_pipeline
from .runtime import OrtPackage


def _torch_pixels(model: LavidaForMaskedDiffusion, vq: np.ndarray) -> np.ndarray:
    pixels = vq_decode(model.model.vqvae, torch.from_numpy(vq)[None])[0]
    return ((pixels.permute(1, 2, 0).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)


def sample_agrees(pipe: inference.Pipeline, ort_pipe: ort_pipeline.OrtPipeline, sample: Sample) -> tuple[bool, int]:
    """(exact agreement, largest pixel difference of the ONNX-decoded edit image; 0 for other families)."""
    if sample.family == "grounding":
        return inference.ground(pipe, sample.prompt, sample.image) == ort_pipeline.ground(
            ort_pipe, sample.prompt, sample.image
        ), 0
    if sample.family == "edit":
        plan, image = inference.edit_image(pipe, sample.prompt, sample.image)
        result = ort_pipeline.edit_image(ort_pipe, sample.prompt, sample.image)
        reference = np.asarray(image)
        same = plan == result.plan and np.array_equal(_torch_pixels(pipe.model, result.vq), reference)
        return same, int(np.abs(np.asarray(result.image, np.int16) - reference).max())
    return inference.answer_question(pipe, sample.prompt, sample.image, sample.family) == ort_pipeline.answer_question(
        ort_pipe, sample.prompt, sample.image, sample.family
    ), 0


def family_parity(
    pipe: inference.Pipeline, ort_pipe: ort_pipeline.OrtPipeline, family: str, n: int, seed: int = 0
) -> dict[str, float]:
    results = [sample_agrees(pipe, ort_pipe, s) for s in eval_samples(family, n, seed)]
    return {"agree": sum(ok for ok, _ in results), "n": n, "max_pixel_diff": max(d for _, d in results)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, required=True)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--text",
        type=json.loads,
        default={},
        help='text sampler changes for both sides, e.g. \'{"threshold": 0.9, "dual_cache": true}\'',
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    package = OrtPackage(args.package)
    model = load_checkpoint(args.checkpoint)
    system = package.manifest["layout"]["system_prompt"] is not None
    families = [f for f in args.families.split(",") if f]
    try:
        canvases = read_canvases(args.checkpoint)
        if canvases != package.canvases:
            raise ValueError(
                f"the package decodes with {package.canvases}, the checkpoint was trained at {canvases}: re-export it"
            )
        changes = field_changes(TextSamplerConfig, args.text, "--text")
        for family in set(families) & set(VQA_FAMILIES):
            inference.answer_sampler(canvases, changes, family)
    except ValueError as e:
        sys.exit(f"parity: {e}")
    pipe = inference.Pipeline(model, package.tokenizer, system_prompt=system, canvases=canvases, text_changes=changes)
    ort_pipe = ort_pipeline.OrtPipeline(package, system_prompt=system, text_changes=changes)
    report = {}
    for family in families:
        began = time.monotonic()
        report[family] = family_parity(pipe, ort_pipe, family, args.n, args.seed)
        print(f"[parity] {family}: {report[family]} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    print(json.dumps(report, indent=2))
    if any(r["agree"] != r["n"] for r in report.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
