"""ONNX pipelines end to end: the onnxruntime sampler reproduces the PyTorch reference pipelines exactly, and
the fp16 / int8 variants load and stay close to fp32 (full runs: `python -m lavida_r1.export.parity`)."""
import pytest

from lavida_r1 import inference
from lavida_r1.evaluate import DEFAULT_TOKENIZER
from lavida_r1.export import ort_pipeline
from lavida_r1.export.deltas import compare
from lavida_r1.export.package import export_package
from lavida_r1.export.parity import family_parity
from lavida_r1.export.runtime import OrtPackage
from lavida_r1.world import FAMILIES

PROVENANCE = {"checkpoint": "test", "checkpoint_sha256": {}, "data_seed": 0, "eval": None}


@pytest.fixture(scope="module")
def packages(tiny_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("variants")
    for dtype in ("fp32", "fp16", "int8"):
        export_package(tiny_model, root / dtype, DEFAULT_TOKENIZER, dtype, PROVENANCE)
    return {dtype: OrtPackage(root / dtype) for dtype in ("fp32", "fp16", "int8")}


@pytest.mark.parametrize("family", FAMILIES)
def test_onnx_pipeline_matches_pytorch(tiny_model, packages, family):
    fp32 = packages["fp32"]
    pipe = inference.Pipeline(tiny_model, fp32.tokenizer)
    report = family_parity(pipe, ort_pipeline.OrtPipeline(fp32), family, n=1)
    assert report["agree"] == report["n"]
    assert report["max_pixel_diff"] <= 1


@pytest.mark.parametrize("dtype", ["fp16", "int8"])
def test_reduced_precision_variants_stay_close(packages, dtype):
    reference = ort_pipeline.OrtPipeline(packages["fp32"])
    report = compare(reference, ort_pipeline.OrtPipeline(packages[dtype]), "mcq", n=1)
    assert report["step_argmax_agreement"] >= 0.8
    assert packages[dtype].manifest["dtype"] == dtype
