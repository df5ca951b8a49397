"""Per-family scoring rules of the world tasks: the evaluator's metrics and the RL rewards use these, so a
reward is exactly what the held-out score counts (the TS harness applies the official scripts' versions of
the same rules to the released-format files)."""

from __future__ import annotations

import re

from PIL import Image

from .world import Sample
from .world.oracle_judge import judge_scores

ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def extract_answer(text: str) -> str | None:
    match = ANSWER.search(text)
    return match.group(1).strip() if match else None


def relaxed_match(prediction: str, target: str, tolerance: float = 0.05) -> bool:
    """ChartQA's relaxed accuracy: numbers within 5% of the target (exact when it is 0), text case-insensitive."""
    try:
        p, t = float(prediction), float(target)
    except ValueError:
        return prediction.strip().lower() == target.strip().lower()
    return p == t if t == 0 else abs(p - t) / abs(t) <= tolerance


def box_iou(a: list[float], b: list[float]) -> float:
    inter_w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    inter_h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = inter_w * inter_h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def answer_correct(sample: Sample, response: str) -> bool:
    """math / mcq: exact match of the `<answer>` content; chart: relaxed accuracy."""
    predicted = extract_answer(response)
    if predicted is None:
        return False
    target = sample.target_answer or sample.answer
    return relaxed_match(predicted, target) if sample.family == "chart" else predicted == target


def edit_score(sample: Sample, edited: Image.Image) -> float:
    """The oracle judge's mean of its three 1-5 labels against the exactly known target."""
    return sum(judge_scores(edited, sample.target_image, sample.image)) / 3
