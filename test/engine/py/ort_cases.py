"""The Python ONNX Runtime pipelines' greedy outputs on held-out world samples, for the TypeScript engine's
parity test: `ort_cases.py PACKAGE_DIR OUT_DIR N` writes OUT_DIR/ort_cases.json and the input PNGs beside it.
Text cases carry the default decoding's tokens over their family's canvas and `fast_tokens`, from threshold
decoding over the dual cache; grounding cases the LOC bins of 1-step decoding and `bins_by_steps` (1, 2, 4); edit
cases the VQ ids of classifier-free guided decoding too, `guided_vq` by "text,image" scales (GUIDED).

It drives lavida_r1.export.ort_pipeline step by step only to keep the token canvases (the pipeline functions
return decoded strings)."""

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from lavida_r1.evaluation import eval_samples
from lavida_r1.export import ort_pipeline as op
from lavida_r1.export.runtime import OrtPackage
from lavida_r1.inference import answer_sampler, decode_text
from lavida_r1.world import FAMILIES

FAST_THRESHOLD = 0.9  # fast_tokens: threshold decoding over the dual cache (test/engine/ort-parity.test.ts)
GUIDED = ((2.0, 1.5), (4.0, 0.0))  # guided_vq: (guidance_scale, image_guidance_scale), as the TS test names them
package_dir, out_dir, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
pkg = OrtPackage(package_dir, threads=1)
c = pkg.config
pipe = op.OrtPipeline(pkg, system_prompt=pkg.manifest["layout"]["system_prompt"] is not None)
stops = {c.eos_token_id, c.eot_token_id}
cases = []
for family in FAMILIES:
    for sample in eval_samples(family, n, 0):
        path = out_dir / f"{sample.id}.png"
        sample.image.save(path)
        image = Image.open(path).convert("RGB")  # exactly the bytes the TypeScript side reads
        case = {"family": family, "id": sample.id, "image": path.name, "prompt": sample.prompt}
        if family == "grounding":
            ids, features = op.encode_prompt(pipe, sample.prompt, image)
            cache = pkg.prefill(ids, np.ones_like(ids), features)
            bins = {steps: op.generate_box(pkg, cache, steps, [image.size])[0].tolist() for steps in (1, 2, 4)}
            case.update(bins=bins[1], bins_by_steps=bins, box=op.ground(pipe, sample.prompt, image))
        elif family == "edit":
            result = op.edit_image(pipe, sample.prompt, image)
            case.update(
                plan=result.plan,
                plan_ids=result.plan_ids.tolist(),
                vq=result.vq.reshape(-1).tolist(),
                pixels=np.asarray(result.image).reshape(-1).tolist(),
                guided_vq={
                    f"{text},{image_scale}": op.edit_image(
                        replace(pipe, image=replace(pipe.image, guidance_scale=text, image_guidance_scale=image_scale)),
                        sample.prompt,
                        image,
                    )
                    .vq.reshape(-1)
                    .tolist()
                    for text, image_scale in GUIDED
                },
            )
        else:
            ids, features = op.encode_prompt(pipe, sample.prompt, image)
            cache = pkg.prefill(ids, np.ones_like(ids), features)
            tokens = op.generate_text(pkg, cache, answer_sampler(pkg.canvases, {}, family))[0].tolist()
            fast_config = answer_sampler(pkg.canvases, {"threshold": FAST_THRESHOLD, "dual_cache": True}, family)
            fast = op.generate_text(pkg, cache, fast_config)[0].tolist()
            case.update(tokens=tokens, text=decode_text(pkg.tokenizer, tokens, stops), fast_tokens=fast)
        cases.append(case)
tmp = out_dir / "ort_cases.json.tmp"
tmp.write_text(json.dumps({"package_sha256": pkg.manifest["files"]["backbone.onnx"]["sha256"], "cases": cases}))
tmp.replace(out_dir / "ort_cases.json")
