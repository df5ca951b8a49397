"""An oracle ImgEdit judge for world edits: scores an edited image against the known target and answers
in the judge reply format (a brief reasoning line, then three `Label: N` lines).

Mapping (pixels "match" when no channel differs by more than VISIBLE_DIFF = 48, which tolerates VQ
reconstruction error; the edit region is where source and target visibly differ):
  inside  = share of the edit region where the edited image matches the target
  outside = share of the rest where it matches the target (= the untouched source)
  detail  = 1 - (mean over pixels of the largest channel difference to the target) / 64, floored at 0
  grade(a) = 5 if a >= .95, 4 if >= .85, 3 if >= .65, 2 if >= .40, else 1
  scores  = grade(inside), min(that, grade(outside)), min(that, grade(detail))   # later scores capped by the first
So the exact target gets 5/5/5 and the unchanged source 1/1/1.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .edit_scene import VISIBLE_DIFF, changed_mask
from .judge_prompts import LABELS

DETAIL_SCALE = 64  # mean colour error at which the detail agreement reaches 0
GRADE_STEPS = ((0.95, 5), (0.85, 4), (0.65, 3), (0.40, 2))


def _grade(agreement: float) -> int:
    return next((score for bound, score in GRADE_STEPS if agreement >= bound), 1)


def _rgb(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    image = image.convert("RGB")
    if image.size != size:
        image = image.resize(size, Image.Resampling.BOX)
    return np.asarray(image)


def agreements(edited: Image.Image, target: Image.Image, source: Image.Image) -> tuple[float, float, float]:
    """(inside, outside, detail) as defined in the module docstring."""
    tgt = np.asarray(target.convert("RGB"))
    src, out = _rgb(source, target.size), _rgb(edited, target.size)
    region = changed_mask(src, tgt)
    diff = np.abs(out.astype(np.int16) - tgt.astype(np.int16)).max(axis=2)
    match = diff <= VISIBLE_DIFF
    inside = float(match[region].mean()) if region.any() else 1.0
    outside = float(match[~region].mean()) if (~region).any() else inside
    return inside, outside, max(0.0, 1.0 - float(diff.mean()) / DETAIL_SCALE)


def judge_scores(edited: Image.Image, target: Image.Image, source: Image.Image) -> tuple[int, int, int]:
    inside, outside, detail = agreements(edited, target, source)
    first = _grade(inside)
    return first, min(first, _grade(outside)), min(first, _grade(detail))


def judge_edit(edited: Image.Image, target: Image.Image, source: Image.Image, edit_type: str) -> str:
    """The reply a judge would give; parsed by ImgEdit's step 1 like a real judge's."""
    inside, outside, _ = agreements(edited, target, source)
    scores = judge_scores(edited, target, source)
    reasoning = (
        f"Brief reasoning: {round(inside * 100)}% of the edited region and {round(outside * 100)}% "
        "of the rest match the expected result."
    )
    return "\n".join([reasoning] + [f"{label}: {s}" for label, s in zip(LABELS[edit_type], scores)])
