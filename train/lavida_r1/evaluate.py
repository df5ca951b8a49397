"""Held-out accuracy of a checkpoint on the world's eval split, per task family, with the reference greedy
pipelines (`lavida_r1.inference`), next to trivial baselines. Each VQA family is decoded over the canvas the
checkpoint was trained at (its canvases.json; `--text` changes apply over it, a `gen_length` among them replaces it).

    python -m lavida_r1.evaluate --checkpoint DIR [--tokenizer FILE] [--n 50] [--families math,chart,...]
        [--text '{"threshold": 0.9, "dual_cache": true}']   (text sampler changes, e.g. a faster decoding)

Metrics: math / mcq: exact match of the `<answer>` content; chart: ChartQA's relaxed accuracy (5% on numbers);
grounding: mean IoU and P@0.5; edit: the oracle judge's average score (1-5). Baselines: chance for
multiple choice (1 / options), the whole-image box for grounding, the unchanged source for edits.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from .config_files import field_changes
from .inference import Pipeline, answer_question, answer_sampler, edit_image, ground
from .model import LavidaForMaskedDiffusion, load_checkpoint
from .model.canvases import UNIFORM, VQA_FAMILIES, Canvases, read_canvases
from .sampling.text import TextSamplerConfig
from .scoring import answer_correct, box_iou, edit_score
from .tokenizer import load_tokenizer
from .world import FAMILIES, Sample, generate

DEFAULT_TOKENIZER = Path(__file__).resolve().parents[1] / "checkpoints" / "lavida-r1-tiny" / "tokenizer.json"
TOKENIZER_HELP = "default: the checkpoint's tokenizer.json, else lavida-r1-tiny's"


def tokenizer_for(checkpoint: Path | None, given: Path | None) -> Path:
    """The tokenizer a CLI uses: the one given, else the checkpoint's own (a retrained tokenizer travels with
    its weights), else lavida-r1-tiny's."""
    if given is not None:
        return given
    own = checkpoint / "tokenizer.json" if checkpoint is not None else None
    return own if own is not None and own.exists() else DEFAULT_TOKENIZER


def eval_samples(family: str, n: int, seed: int) -> list[Sample]:
    options = lambda i: {"setting": "vision" if i % 2 else "standard"} if family == "mcq" else {}
    return [generate(family, "eval", i, seed, **options(i)) for i in range(n)]


def score_family(pipe: Pipeline, family: str, samples: list[Sample]) -> dict[str, float]:
    if family == "grounding":
        ious = [box_iou(ground(pipe, s.prompt, s.image), list(s.box)) for s in samples]
        whole = [box_iou([0, 0, *s.image.size], list(s.box)) for s in samples]
        return {"mIoU": sum(ious) / len(ious), "P@0.5": sum(i >= 0.5 for i in ious) / len(ious),
                "baseline_mIoU_whole_image": sum(whole) / len(whole)}
    if family == "edit":
        scores, unchanged = [], []
        for s in samples:
            _, edited = edit_image(pipe, s.prompt, s.image)
            scores.append(edit_score(s, edited))
            unchanged.append(edit_score(s, s.image))
        return {"oracle_score": sum(scores) / len(scores), "baseline_unchanged_source": sum(unchanged) / len(unchanged)}
    hits, chance = 0, 0.0
    for s in samples:
        hits += answer_correct(s, answer_question(pipe, s.prompt, s.image, family))
        chance += 1 / len(s.options) if s.options else 0.0
    return {"accuracy": hits / len(samples), "chance": chance / len(samples)}


def evaluate(model: LavidaForMaskedDiffusion, tokenizer_path: Path, families: list[str], n: int,
             seed: int = 0, text: dict | None = None, canvases: Canvases = UNIFORM) -> dict[str, dict[str, float]]:
    """text: TextSamplerConfig fields to change for the text families (answers; edit plans keep their own);
    canvases: the model's trained canvases (`read_canvases` of its checkpoint)."""
    pipe = Pipeline(model.eval(), load_tokenizer(tokenizer_path, model.config), canvases=canvases,
                    text_changes=text or {})
    for family in set(families) & set(VQA_FAMILIES):
        answer_sampler(canvases, pipe.text_changes, family)  # refuse bad changes before any sample runs
    results = {}
    for family in families:
        began = time.monotonic()
        results[family] = score_family(pipe, family, eval_samples(family, n, seed))
        print(f"[evaluate] {family}: {results[family]} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="model folder (config.json + model.safetensors)")
    parser.add_argument("--untrained", action="store_true", help="score a freshly initialised tiny model instead")
    parser.add_argument("--tokenizer", type=Path, help=TOKENIZER_HELP)
    parser.add_argument("--n", type=int, default=50, help="held-out samples per family")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--text", type=json.loads, default={},
                        help='text sampler changes, e.g. \'{"threshold": 0.9, "dual_cache": true}\'')
    args = parser.parse_args(argv)
    try:
        text = field_changes(TextSamplerConfig, args.text, "--text")
    except ValueError as e:
        sys.exit(f"evaluate: {e}")
    torch.set_num_threads(args.threads)
    canvases = UNIFORM
    if args.untrained:
        from .model import get_preset
        from .sft.init import initialize
        torch.manual_seed(args.seed)
        model = LavidaForMaskedDiffusion(get_preset("tiny"))
        initialize(model, 0.02)
    elif args.checkpoint:
        model = load_checkpoint(args.checkpoint)
        try:
            canvases = read_canvases(args.checkpoint)
        except ValueError as e:
            sys.exit(f"evaluate: {e}")
    else:
        sys.exit("evaluate: give --checkpoint DIR or --untrained")
    families = [f for f in args.families.split(",") if f]
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        sys.exit(f"evaluate: unknown families {unknown}; choose from {list(FAMILIES)}")
    try:
        tokenizer = tokenizer_for(args.checkpoint, args.tokenizer)
        results = evaluate(model, tokenizer, families, args.n, args.seed, text, canvases)
    except ValueError as e:  # e.g. a threshold outside (0, 1]
        sys.exit(f"evaluate: {e}")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
