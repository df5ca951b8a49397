"""Parameter counts per component of a preset, computed on the meta device (no weights allocated).

    python -m lavida_r1.model.summary --preset lavida-o-10b

Groups: `understanding` = token embedding + text-branch block weights + final norm and LM head (LaViDa's 8B);
`generation` = generation-branch (`*_vision`) block weights + generation heads + 2x2 down/up-sampling (2.4B);
`backbone` = both (the paper's 10.4B); `vision` = SigLIP + resampler + projector + image_newline;
`vq` = the VQ-VAE; `total` = everything.
"""

from __future__ import annotations

import argparse
import json

from .checkpoint import build_on_meta
from .config import LavidaConfig
from .presets import PRESETS, get_preset

# Fine components by key prefix (blocks are split by the `_vision` suffix of their module name).
PREFIXES = {
    "model.transformer.wte.": "token_embedding",
    "model.transformer.ln_f.": "lm_head",
    "model.transformer.ff_out.": "lm_head",
    "model.gen_embedding.": "gen_heads",
    "model.gen_embedding_2.": "gen_heads",
    "model.gen_predictor.": "gen_heads",
    "model.gen_predictor_2.": "gen_heads",
    "model.downsample_gen.": "gen_resampling",
    "model.upsample_gen.": "gen_resampling",
    "model.vision_tower.": "siglip",
    "model.vision_resampler.": "resampler",
    "model.mm_projector.": "projector",
    "model.image_newline": "image_newline",
    "model.vqvae.": "vqvae",
}
GROUPS = {
    "understanding": ("token_embedding", "text_blocks", "lm_head"),
    "generation": ("gen_blocks", "gen_heads", "gen_resampling"),
    "vision": ("siglip", "resampler", "projector", "image_newline"),
    "vq": ("vqvae",),
}


def component_of(key: str) -> str:
    if key.startswith("model.transformer.blocks."):
        return "gen_blocks" if key.split(".")[4].endswith("_vision") else "text_blocks"
    for prefix, component in PREFIXES.items():
        if key.startswith(prefix):
            return component
    raise KeyError(f"parameter {key} belongs to no component")


def parameter_counts(config: LavidaConfig) -> dict[str, object]:
    components = dict.fromkeys([c for group in GROUPS.values() for c in group], 0)
    for key, param in build_on_meta(config).named_parameters():
        components[component_of(key)] += param.numel()
    groups = {f"{g}_params": sum(components[c] for c in cs) for g, cs in GROUPS.items()}
    backbone = groups["understanding_params"] + groups["generation_params"]
    return {"backbone_params": backbone, **groups, "total_params": sum(components.values()), "components": components}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, choices=sorted(PRESETS))
    args = parser.parse_args(argv)
    print(json.dumps({"preset": args.preset, **parameter_counts(get_preset(args.preset))}, indent=2))


if __name__ == "__main__":
    main()
