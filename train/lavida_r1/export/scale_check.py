"""Export scales without weights: the backbone graph at the upstream widths (d_model 4096, d_model_gen 2048,
vocabulary 127,378) with one layer, random weights, external data, loaded in onnxruntime for one step.

    python -m lavida_r1.export.scale_check --out DIR [--layers 1]

Needs about 16 GB of RAM (not part of the test suite). Prints the file sizes, the peak resident memory and the
times, which models/README.md records.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import time
from pathlib import Path

import numpy as np
import torch

from ..model import LavidaForMaskedDiffusion, VisionConfig, VQConfig
from ..model.presets import lavida_o_10b
from .onnx_io import export_graph
from .runtime import Cache
from .specs import GRAPHS


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layers", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    # Upstream backbone widths; the vision tower and VQ-VAE are shrunk since the backbone graph holds neither.
    config = dataclasses.replace(
        lavida_o_10b(),
        n_layers=args.layers,
        vision=VisionConfig(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=1,
            num_attention_heads=4,
            image_size=384,
            patch_size=14,
        ),
        mm_hidden_size=64,
        mm_spatial_pool_out_channels=64,
        vq=VQConfig(
            block_out_channels=(16, 16, 16, 16, 16),
            layers_per_block=1,
            latent_channels=8,
            norm_num_groups=8,
            image_size=1024,
        ),
    )
    report: dict[str, float | str] = {}
    began = time.monotonic()
    with torch.device("meta"):
        model = LavidaForMaskedDiffusion(config)
    model = model.to_empty(device="cpu").eval()
    with torch.no_grad():  # random weights: export cares about shapes, not values
        for p in model.parameters():
            p.normal_(0, 0.02)
    report["backbone_params"] = sum(
        p.numel()
        for n, p in model.named_parameters()
        if not n.startswith(("model.vision", "model.vqvae", "model.mm_projector"))
    )
    args.out.mkdir(parents=True, exist_ok=True)
    spec = next(g for g in GRAPHS if g.name == "backbone")
    files = export_graph(model, spec, args.out, "fp32")
    del model
    report["export_s"] = round(time.monotonic() - began, 1)
    report["files"] = {f.name: f.stat().st_size for f in files}
    report["peak_rss_after_export_gb"] = round(peak_rss_gb(), 2)

    import onnxruntime as ort

    began = time.monotonic()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(args.out / spec.file), options, providers=["CPUExecutionProvider"])
    report["load_s"] = round(time.monotonic() - began, 1)
    c = config
    prompt = np.array([[c.bos_token_id, 100, 200, 300, c.eot_token_id]])
    kv = np.zeros((c.n_layers, 1, c.n_kv_heads, 0, c.head_dim), np.float32)
    cache = Cache(kv, kv, np.zeros((1, 0), bool), np.zeros((1, 0), np.int64))
    declared = {i.name for i in session.get_inputs()}  # one joint block: past_gen_mask is unused and absent
    feeds = lambda ids, pos, past, text: {
        k: v
        for k, v in {
            "input_ids": ids,
            "position_ids": pos,
            "attention_mask": np.ones((1, past.keys.shape[3] + ids.shape[1]), np.int64),
            "past_gen_mask": past.gen_mask,
            "past_keys": past.keys,
            "past_values": past.values,
            "image_features": np.zeros((1, 0, c.d_model), np.float32),
            "edit_vq": np.zeros((1, 0, 0), np.int64),
            "gen_vq": np.zeros((1, 0, 0), np.int64),
            "text_positions": text,
            "vocab_range": np.array([0, c.embedding_size]),
        }.items()
        if k in declared
    }
    began = time.monotonic()
    keys, values, gen_mask = session.run(
        ["present_keys", "present_values", "present_gen_mask"],
        feeds(prompt, np.arange(5)[None], cache, np.zeros((1, 0), np.int64)),
    )
    cache = Cache(keys, values, gen_mask, np.ones((1, 5), np.int64))
    canvas = np.full((1, 8), c.mask_token_id)
    ids, confidence = session.run(
        ["text_ids", "text_confidence"], feeds(canvas, 5 + np.arange(8)[None], cache, np.arange(8)[None])
    )
    report["prefill_and_step_s"] = round(time.monotonic() - began, 2)
    report["step_ids"] = ids[0].tolist()
    report["step_confidence_max"] = float(confidence.max())
    report["peak_rss_gb"] = round(peak_rss_gb(), 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
