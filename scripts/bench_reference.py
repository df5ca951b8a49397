"""The Python side of `npm run bench`: writes the benchmark samples and times the PyTorch reference sampler
(lavida_r1.sampling.text.generate_text through inference.Pipeline's layout, over the package's default text
canvas, as the engine's bench requests carry no task) on them, one request at a time.

    bench_reference.py PACKAGE_DIR CHECKPOINT_DIR OUT_DIR N_PER_FAMILY [--samples-only]

Writes OUT_DIR/reference.json: the samples (PNG beside it, prompt, target answer) and per configuration
(no cache / prefix cache / dual cache x fixed steps / threshold 0.9) each sample's latency, answer tokens, NFE
and whether the <answer> equals the target exactly; plus the process's peak RSS. With --samples-only, only the
samples (no configuration is timed).
"""

import hashlib
import json
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from lavida_r1.evaluation import eval_samples
from lavida_r1.export.runtime import OrtPackage
from lavida_r1.inference import Pipeline, _encode, decode_text
from lavida_r1.model import load_checkpoint
from lavida_r1.sampling.text import TextSamplerConfig, generate_text
from lavida_r1.scoring import extract_answer

package_dir, checkpoint, out, n = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
samples_only = sys.argv[5:] == ["--samples-only"]
torch.set_num_threads(1)
package = OrtPackage(package_dir)
weights = hashlib.sha256((Path(checkpoint) / "model.safetensors").read_bytes()).hexdigest()
same_weights = weights == package.manifest["provenance"]["checkpoint_sha256"]["model.safetensors"]
if not same_weights:
    print(
        f"[bench_reference] WARNING: {checkpoint} is not the checkpoint the package was exported from: "
        "tokens, NFE and accuracy are not comparable",
        file=sys.stderr,
    )
system = package.manifest["layout"]["system_prompt"] is not None
text = package.manifest["layout"]["sampling"]["text"]
pipe = Pipeline(load_checkpoint(checkpoint).eval(), package.tokenizer, system_prompt=system)
default_text = TextSamplerConfig(gen_length=text["gen_length"], block_length=text["block_length"], steps=text["steps"])
c = pipe.model.config
stops = {c.eos_token_id, c.eot_token_id}

samples = []
for family in ("math", "chart", "mcq"):
    for s in eval_samples(family, n, 0):
        s.image.save(out / f"{s.id}.png")
        samples.append(
            {
                "id": s.id,
                "family": family,
                "image": f"{s.id}.png",
                "prompt": s.prompt,
                "target": s.target_answer or s.answer,
                "pil": s.image,
            }
        )

configs = {
    "prefix+fixed": {},
    "prefix+threshold0.9": {"threshold": 0.9},
    "dual+fixed": {"dual_cache": True},
    "dual+threshold0.9": {"dual_cache": True, "threshold": 0.9},
    "nocache+fixed": {"use_cache": False},
    "nocache+threshold0.9": {"use_cache": False, "threshold": 0.9},
}
results = {}
for name, change in ({} if samples_only else configs).items():
    config = replace(default_text, **change)
    rows = []
    for s in samples:
        began = time.perf_counter()
        ids, features = _encode(pipe, s["prompt"], s["pil"])
        sample = generate_text(pipe.model, ids, config, image_features=features)
        tokens = sample.tokens[0].tolist()
        answer = decode_text(pipe.tokenizer, tokens, stops)
        latency = time.perf_counter() - began
        generated = next((i for i, t in enumerate(tokens) if t in stops), len(tokens))
        rows.append(
            {
                "latency_s": latency,
                "tokens": generated,
                "nfe": sample.nfe,
                "correct": extract_answer(answer) == s["target"],
            }
        )
    results[name] = rows
    print(f"[bench_reference] {name}: {sum(r['latency_s'] for r in rows):.1f} s", file=sys.stderr)

for s in samples:
    del s["pil"]
(out / "reference.json").write_text(
    json.dumps(
        {
            "samples": samples,
            "results": results,
            "checkpoint_matches_package": same_weights,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )
)
