"""ONNX pipelines end to end: the onnxruntime sampler reproduces the PyTorch reference pipelines exactly (each
family over its own canvas, read from the manifest on the ONNX side), and the fp16 / int8 variants load and stay
close to fp32 (full runs: `python -m lavida_r1.export.parity`)."""

import numpy as np
import pytest

from lavida_r1 import inference
from lavida_r1.evaluation import eval_samples
from lavida_r1.export import ort_pipeline
from lavida_r1.export.deltas import compare
from lavida_r1.export.package import export_package
from lavida_r1.export.parity import family_parity
from lavida_r1.export.runtime import OrtPackage
from lavida_r1.model.canvases import UNIFORM, Canvases
from lavida_r1.sampling.image_loop import ImageSamplerConfig
from lavida_r1.sampling.text import generate_text
from lavida_r1.tokenizer import DEFAULT_TOKENIZER
from lavida_r1.world import FAMILIES

PROVENANCE = {"checkpoint": "test", "checkpoint_sha256": {}, "data_seed": 0, "eval": None}
CANVASES = Canvases(math=32, chart=48, mcq=16, edit_plan=24)


@pytest.fixture(scope="module")
def packages(tiny_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("variants")
    for dtype in ("fp32", "fp16", "int8"):
        export_package(tiny_model, root / dtype, DEFAULT_TOKENIZER, dtype, PROVENANCE, CANVASES)
    return {dtype: OrtPackage(root / dtype) for dtype in ("fp32", "fp16", "int8")}


@pytest.mark.parametrize("family", FAMILIES)
def test_onnx_pipeline_matches_pytorch(tiny_model, packages, family):
    fp32 = packages["fp32"]
    pipe = inference.Pipeline(tiny_model, fp32.tokenizer, canvases=CANVASES)
    report = family_parity(pipe, ort_pipeline.OrtPipeline(fp32), family, n=1)
    assert report["agree"] == report["n"]
    assert report["max_pixel_diff"] <= 1


def test_onnx_threshold_and_dual_cache_decoding_matches_pytorch(sharp_model, tmp_path):
    """Threshold decoding over the dual cache's window, on a model confident enough to unmask in parallel."""
    export_package(sharp_model, tmp_path / "sharp", DEFAULT_TOKENIZER, "fp32", PROVENANCE, UNIFORM)
    package = OrtPackage(tmp_path / "sharp")
    changes = {"gen_length": 32, "block_length": 8, "threshold": 0.6, "dual_cache": True}
    pipe = inference.Pipeline(sharp_model, package.tokenizer, text_changes=changes)
    ort_pipe = ort_pipeline.OrtPipeline(package, text_changes=changes)
    parallel = []
    for s in eval_samples("mcq", 2, 0):
        ids, features = inference.encode_request(pipe, s.prompt, s.image)
        config = inference.answer_sampler(pipe.canvases, changes, "mcq")
        parallel.append(generate_text(sharp_model, ids, config, image_features=features).nfe)
        assert inference.answer_question(pipe, s.prompt, s.image, "mcq") == ort_pipeline.answer_question(
            ort_pipe, s.prompt, s.image, "mcq"
        )
    assert min(parallel) < 32  # some passes unmasked several tokens


@pytest.mark.parametrize("dtype", ["fp16", "int8"])
def test_reduced_precision_variants_stay_close(packages, dtype):
    reference = ort_pipeline.OrtPipeline(packages["fp32"])
    report = compare(reference, ort_pipeline.OrtPipeline(packages[dtype]), "mcq", n=1)
    assert report["step_argmax_agreement"] >= 0.8
    assert packages[dtype].manifest["dtype"] == dtype


def test_onnx_guided_edits_match_pytorch(tiny_model, packages):
    """Classifier-free guidance of edits (text and image scales) through the ONNX graphs: the guidance variants'
    prompt caches and their combined VQ logits give the PyTorch reference's plan and VQ ids, and guidance does
    change the image."""
    fp32 = packages["fp32"]
    guided = ImageSamplerConfig(steps=16, temperature=0.0, guidance_scale=2.0, image_guidance_scale=1.5)
    pipe = inference.Pipeline(tiny_model, fp32.tokenizer, canvases=CANVASES, image=guided)
    report = family_parity(pipe, ort_pipeline.OrtPipeline(fp32, image=guided), "edit", n=2)
    assert report["agree"] == report["n"]
    unguided = ort_pipeline.OrtPipeline(fp32)
    changed = [
        not np.array_equal(
            ort_pipeline.edit_image(unguided, s.prompt, s.image).vq,
            ort_pipeline.edit_image(ort_pipeline.OrtPipeline(fp32, image=guided), s.prompt, s.image).vq,
        )
        for s in eval_samples("edit", 2, 0)
    ]
    assert any(changed)
