"""Accuracy of a reduced-precision package (fp16, int8) against the fp32 package on held-out world samples.

    python -m lavida_r1.export.deltas --reference FP32_DIR --package DIR [--n 20]

Per family: argmax agreement of the first denoising step over the fully masked answer canvas (text positions;
for edits also the VQ canvas), the mean absolute confidence difference there, and the share of samples
whose whole greedy pipeline output (answer text, box, edit plan + VQ ids) is identical.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..evaluation import eval_samples
from ..world import FAMILIES, Sample
from . import ort_pipeline as op
from .runtime import OrtPackage


def first_step(pipe: op.OrtPipeline, sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """(ids, confidences) of the first denoising step of the sample's answer canvas (text, then VQ)."""
    pkg, c = pipe.package, pipe.package.config
    edit = sample.family == "edit"
    ids, features = op.encode_prompt(pipe, sample.prompt, sample.image, edit=edit)
    source = op.edit_source(pkg, sample.image) if edit else None
    cache = pkg.prefill(ids, np.ones_like(ids), features, source)
    length = pipe.plan_length if edit else pipe.canvases.answer(sample.family)
    canvas = np.full((1, length), c.mask_token_id, np.int64)
    positions = ids.shape[1] + np.arange(length)[None]
    out = pkg.backbone(canvas, positions, cache, text_positions=positions - ids.shape[1])
    found, confidence = [out.text_ids[0]], [out.text_confidence[0]]
    if edit:
        grid = c.vq.grid_size
        answer = np.array([[c.mask_token_id] * length + [c.gen_token_id] * (grid // 2) ** 2 + [c.eot_token_id]])
        blank = np.full((1, grid, grid), c.image_mask_token_id, np.int64)
        out = pkg.backbone(answer, ids.shape[1] + np.arange(answer.shape[1])[None], cache, gen_vq=blank)
        found.append(out.vq_ids[0])
        confidence.append(out.vq_confidence[0])
    return np.concatenate(found), np.concatenate(confidence)


def pipeline_output(pipe: op.OrtPipeline, sample: Sample) -> object:
    if sample.family == "grounding":
        return op.ground(pipe, sample.prompt, sample.image)
    if sample.family == "edit":
        result = op.edit_image(pipe, sample.prompt, sample.image)
        return result.plan, result.vq.tolist()
    return op.answer_question(pipe, sample.prompt, sample.image, sample.family)


def compare(reference: op.OrtPipeline, candidate: op.OrtPipeline, family: str, n: int) -> dict[str, float]:
    agree = total = same_output = 0
    confidence_diff: list[float] = []
    for sample in eval_samples(family, n, 0):
        (ref_ids, ref_conf), (ids, conf) = first_step(reference, sample), first_step(candidate, sample)
        agree += int((ref_ids == ids).sum())
        total += ids.size
        confidence_diff.append(float(np.abs(ref_conf - conf).mean()))
        same_output += pipeline_output(reference, sample) == pipeline_output(candidate, sample)
    return {
        "step_argmax_agreement": agree / total,
        "mean_abs_confidence_diff": float(np.mean(confidence_diff)),
        "identical_outputs": same_output / n,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True, help="the fp32 package")
    parser.add_argument("--package", type=Path, required=True, help="the package to measure")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--families", default=",".join(FAMILIES))
    args = parser.parse_args(argv)
    reference, candidate = op.OrtPipeline(OrtPackage(args.reference)), op.OrtPipeline(OrtPackage(args.package))
    report = {f: compare(reference, candidate, f, args.n) for f in args.families.split(",") if f}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
