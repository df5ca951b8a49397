"""ONNX model packages: export (`python -m lavida_r1.export`), verification, and an onnxruntime sampler that
mirrors the PyTorch reference pipelines (`ort_pipeline`). Format: models/README.md."""

from .manifest import PackageError, verify_package

__all__ = ["PackageError", "verify_package"]
