"""Held-out accuracy of a model on the world's eval split, per task family, with the reference greedy pipelines
(`lavida_r1.inference`), next to trivial baselines (`python -m lavida_r1.evaluate` is its command).

Metrics: math / mcq: exact match of the `<answer>` content; chart: ChartQA's relaxed accuracy (5% on numbers);
grounding: mean IoU and P@0.5; edit: the oracle judge's average score (1-5). Baselines: chance for
multiple choice (1 / options), the whole-image box for grounding, the unchanged source for edits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .inference import Pipeline, answer_question, answer_sampler, edit_image, ground
from .model import LavidaForMaskedDiffusion
from .model.canvases import UNIFORM, VQA_FAMILIES, Canvases
from .scoring import answer_correct, box_iou, edit_score
from .tokenizer import load_tokenizer
from .world import Sample, generate


def eval_samples(key: str, n: int, seed: int) -> list[Sample]:
    """Eval samples 0..n-1 of `key`: a family, or `family:kind` for one kind of it (multiple choice alternates its
    two settings either way)."""
    family, _, kind = key.partition(":")
    options = lambda i: {
        **({"setting": "vision" if i % 2 else "standard"} if family == "mcq" else {}),
        **({"kind": kind} if kind else {}),
    }
    return [generate(family, "eval", i, seed, **options(i)) for i in range(n)]


def score_family(pipe: Pipeline, family: str, samples: list[Sample]) -> dict[str, float]:
    if family == "grounding":
        ious = [box_iou(ground(pipe, s.prompt, s.image), list(s.box)) for s in samples]
        whole = [box_iou([0, 0, *s.image.size], list(s.box)) for s in samples]
        return {
            "mIoU": sum(ious) / len(ious),
            "P@0.5": sum(i >= 0.5 for i in ious) / len(ious),
            "baseline_mIoU_whole_image": sum(whole) / len(whole),
        }
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


def evaluate(
    model: LavidaForMaskedDiffusion,
    tokenizer_path: Path,
    families: list[str],
    n: int,
    seed: int = 0,
    text: dict | None = None,
    canvases: Canvases = UNIFORM,
) -> dict[str, dict[str, float]]:
    """families: families or `family:kind` keys (`eval_samples`), the keys of the result;
    text: TextSamplerConfig fields to change for the text families (answers; edit plans keep their own);
    canvases: the model's trained canvases (`read_canvases` of its checkpoint)."""
    pipe = Pipeline(
        model.eval(), load_tokenizer(tokenizer_path, model.config), canvases=canvases, text_changes=text or {}
    )
    for family in {key.partition(":")[0] for key in families} & set(VQA_FAMILIES):
        answer_sampler(canvases, pipe.text_changes, family)  # refuse bad changes before any sample runs
    results = {}
    for key in families:
        began = time.monotonic()
        results[key] = score_family(pipe, key.partition(":")[0], eval_samples(key, n, seed))
        print(f"[evaluate] {key}: {results[key]} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    return results
