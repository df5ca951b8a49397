"""Writing a whole package: graphs, tokenizer.json, manifest.json (atomically, like checkpoints)."""

from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .. import prompts
from ..fsutil import replace_directory, temporary_sibling
from ..inference import text_sampler
from ..model import LavidaForMaskedDiffusion
from ..model.canvases import Canvases
from ..model.chat import SYSTEM_PROMPT, grounding_request
from ..model.vision import pooled_side
from ..sampling.grounding import LOC_SLOTS
from ..tokenizer import EDIT_SLOTS, load_tokenizer
from .manifest import sha256_file, write_manifest
from .onnx_io import OPSET, export_graph
from .shared_weights import share_weights
from .specs import GRAPHS


def layout_facts(model: LavidaForMaskedDiffusion, system_prompt: bool, canvases: Canvases) -> dict[str, Any]:
    """What the server needs to build prompts and canvases exactly as `lavida_r1.prompts` does, and the
    reference decoding (`lavida_r1.inference`): `sampling.text` over the longest canvas (a question of unknown
    family), `sampling.canvases` per VQA family."""
    c = model.config
    text = text_sampler(canvases.longest)
    return {
        "template": "llada",
        "system_prompt": SYSTEM_PROMPT if system_prompt else None,
        "image_placeholder": "<image>",
        "edit_slots_marker": EDIT_SLOTS,
        "grounding_request_example": grounding_request("{expression}"),
        "answer_lengths": {**canvases.vqa(), "edit": canvases.edit_plan},
        "plan_length": canvases.edit_plan,
        "vq_slots": prompts.vq_slots(c),
        "loc_slots": LOC_SLOTS,
        "pooled_side": pooled_side(c),
        "vq_grid": c.vq.grid_size,
        "image_mask_token_id": c.image_mask_token_id,
        "head_dim": c.head_dim,
        "sampling": {
            "text": {
                "gen_length": text.gen_length,
                "block_length": text.block_length,
                "steps": text.steps,
                "schedule": text.schedule,
            },
            "canvases": canvases.vqa(),
            "plan": {"steps": canvases.edit_plan, "stop_at_eos": False},  # one block: the whole canvas
            "image": {"steps": 16, "shift": 5.0, "order": "stratified", "order_seed": 42, "temperature": 0.0},
            "grounding": {"steps": 1},
        },
    }


def export_package(
    model: LavidaForMaskedDiffusion,
    out: Path,
    tokenizer: Path,
    dtype: str,
    provenance: dict[str, Any],
    canvases: Canvases,
    system_prompt: bool = False,
) -> dict[str, Any]:
    """Writes the package folder `out` (replacing any previous one only once complete); returns the manifest.
    `canvases`: the checkpoint's (`model.canvases.read_canvases`)."""
    load_tokenizer(tokenizer, model.config)  # refuse a tokenizer whose ids do not match the model
    out = Path(out)
    tmp = temporary_sibling(out)
    try:
        for spec in GRAPHS:
            export_graph(model, spec, tmp, dtype)
        share_weights(tmp, "backbone", "backbone_text")
        shutil.copyfile(tokenizer, tmp / "tokenizer.json")
        manifest = write_manifest(
            tmp,
            {
                "dtype": dtype,
                "config": model.config.to_dict(),
                "layout": layout_facts(model, system_prompt, canvases),
                "runtime": {"graph_optimization_level": "all", "stored_optimization_level": "basic", "opset": OPSET},
                "provenance": {
                    **provenance,
                    "tokenizer_sha256": sha256_file(tokenizer),
                    "exporter": {p: version(p) for p in ("torch", "onnx", "onnxruntime")},
                },
            },
        )
        replace_directory(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
