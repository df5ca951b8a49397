"""A verified package's graphs as ONNX Runtime sessions, with numpy-in/numpy-out calls per graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from ..model import LavidaConfig
from ..model.canvases import VQA_FAMILIES, Canvases
from ..model.image_processing import AnyresImage
from ..tokenizer import load_tokenizer
from .anyres import pack_index
from .manifest import verify_package


@dataclass
class BackboneOutput:
    text_ids: np.ndarray  # [B, A] int64
    text_confidence: np.ndarray  # [B, A] float32
    present_keys: np.ndarray  # [layers, B, heads, L, head_dim]
    present_values: np.ndarray
    present_gen_mask: np.ndarray  # [B, L] bool
    vq_ids: np.ndarray | None = None  # [B, H*W] int64 (the mixed graph only)
    vq_confidence: np.ndarray | None = None  # [B, H*W] float32
    text_logits: np.ndarray | None = None  # [B, A, vocab] float32, when asked for
    vq_logits: np.ndarray | None = None  # [B, H*W, codebook] float32, when asked for (the mixed graph only)


@dataclass
class Cache:
    """A prompt's keys/values and key masks, as the backbone's past inputs."""

    keys: np.ndarray
    values: np.ndarray
    gen_mask: np.ndarray
    key_valid: np.ndarray  # [B, P] int64


def package_canvases(manifest: dict[str, Any]) -> Canvases:
    """The canvases a package decodes with: `layout.sampling.canvases` and `layout.plan_length` (a package
    without per-family canvases: its one text canvas, `sampling.text.gen_length`, for every family)."""
    layout = manifest["layout"]
    sampling = layout["sampling"]
    vqa = sampling.get("canvases") or dict.fromkeys(VQA_FAMILIES, sampling["text"]["gen_length"])
    return Canvases(**vqa, edit_plan=layout["plan_length"])


class OrtPackage:
    def __init__(
        self,
        directory: str | Path,
        threads: int = 1,
        level: ort.GraphOptimizationLevel = ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    ) -> None:
        directory = Path(directory)
        self.manifest = verify_package(directory)
        self.config = LavidaConfig.from_dict(self.manifest["config"])
        self.canvases = package_canvases(self.manifest)
        self.tokenizer: Tokenizer = load_tokenizer(directory / "tokenizer.json", self.config)
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.graph_optimization_level = level
        self.sessions = {
            name: ort.InferenceSession(str(directory / graph["file"]), options, providers=["CPUExecutionProvider"])
            for name, graph in self.manifest["graphs"].items()
        }

    def empty_cache(self, batch: int) -> Cache:
        c = self.config
        kv = np.zeros((c.n_layers, batch, c.n_kv_heads, 0, c.head_dim), np.float32)
        return Cache(kv, kv, np.zeros((batch, 0), bool), np.zeros((batch, 0), np.int64))

    def encode_image(self, image: AnyresImage) -> np.ndarray:
        """[N, d_model] `<image>` embeddings of one preprocessed image."""
        index = pack_index(self.config, image.grid, image.original_size)
        return self.sessions["vision"].run(
            None, {"pixel_values": image.pixel_values.numpy(), "pack_index": np.array(index, np.int64)}
        )[0]

    def backbone(
        self,
        input_ids: np.ndarray,
        position_ids: np.ndarray,
        past: Cache,
        key_valid: np.ndarray | None = None,
        image_features: np.ndarray | None = None,
        edit_vq: np.ndarray | None = None,
        gen_vq: np.ndarray | None = None,
        text_positions: np.ndarray | None = None,
        vocab_range: tuple[int, int] | None = None,
        logits: bool = False,
        graph: str | None = None,
        vq_logits: bool = False,
    ) -> BackboneOutput:
        """One backbone run. `graph`: `backbone` or `backbone_text`; by default the text-only graph whenever the
        run has no VQ input (its tokens are all text) and the package has it (older packages do not)."""
        c = self.config
        if graph is None:
            text_only = edit_vq is None and gen_vq is None and "backbone_text" in self.sessions
            graph = "backbone_text" if text_only else "backbone"
        batch = input_ids.shape[0]
        no_grid = np.zeros((batch, 0, 0), np.int64)
        if key_valid is None:
            key_valid = np.ones(input_ids.shape, np.int64)
        feeds = {
            "input_ids": input_ids,
            "position_ids": position_ids,
            "attention_mask": np.concatenate((past.key_valid, key_valid), axis=1),
            "past_gen_mask": past.gen_mask,
            "past_keys": past.keys,
            "past_values": past.values,
            "image_features": image_features
            if image_features is not None
            else np.zeros((batch, 0, c.d_model), np.float32),
            "edit_vq": edit_vq if edit_vq is not None else no_grid,
            "gen_vq": gen_vq if gen_vq is not None else no_grid,
            "text_positions": text_positions if text_positions is not None else np.zeros((batch, 0), np.int64),
            "vocab_range": np.array(vocab_range or (0, c.embedding_size), np.int64),
        }
        session = self.sessions[graph]
        declared = {i.name for i in session.get_inputs()}  # past_gen_mask: only with split blocks
        feeds = {k: v for k, v in feeds.items() if k in declared}
        produced = {o.name for o in session.get_outputs()}
        names = (
            [
                n
                for n in (
                    "text_ids",
                    "text_confidence",
                    "present_keys",
                    "present_values",
                    "present_gen_mask",
                    "vq_ids",
                    "vq_confidence",
                )
                if n in produced
            ]
            + ["text_logits"] * logits
            + ["vq_logits"] * vq_logits
        )
        return BackboneOutput(**dict(zip(names, session.run(names, feeds))))

    def prefill(
        self,
        input_ids: np.ndarray,
        key_valid: np.ndarray,
        image_features: np.ndarray | None = None,
        edit_vq: np.ndarray | None = None,
    ) -> Cache:
        """The prompt's cache (left-padded rows: positions count real tokens only)."""
        positions = np.clip(np.cumsum(key_valid, axis=1) - 1, 0, None)
        out = self.backbone(
            input_ids, positions, self.empty_cache(input_ids.shape[0]), key_valid, image_features, edit_vq
        )
        return Cache(out.present_keys, out.present_values, out.present_gen_mask, key_valid)

    def vq_encode(self, pixels: np.ndarray) -> np.ndarray:
        return self.sessions["vq_encode"].run(None, {"pixels": pixels})[0]

    def vq_decode(self, ids: np.ndarray) -> np.ndarray:
        return self.sessions["vq_decode"].run(None, {"vq_ids": ids})[0]
