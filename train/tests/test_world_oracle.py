"""The oracle ImgEdit judge: reply format, exact target = 5s, untouched source = 1s, graded in between."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lavida_r1.world import EDIT_TYPES, generate, judge_edit
from lavida_r1.world.judge_prompts import LABELS
from lavida_r1.world.make_benchmarks import make_benchmarks
from lavida_r1.world.oracle_judge import judge_scores
from lavida_r1.world.run_oracle_judge import judge_folder


def step1_scores(reply: str) -> list[int]:
    """ImgEdit's step-1 parser: `Label: N` lines with exactly one ': ' and a digit value."""
    return [int(p[1]) for line in reply.splitlines() if len(p := line.strip().split(": ")) == 2 and p[1].isdigit()]


@pytest.mark.parametrize("edit_type", EDIT_TYPES)
def test_exact_target_scores_five_and_source_scores_one(edit_type):
    s = generate("edit", "eval", 11, kind=edit_type)
    reply = judge_edit(s.target_image, s.target_image, s.image, edit_type)
    lines = reply.splitlines()
    assert len(lines) == 4 and lines[0].startswith("Brief reasoning: ") and len(lines[0].split()) <= 22
    assert [line.split(": ")[0] for line in lines[1:]] == list(LABELS[edit_type])
    assert step1_scores(reply) == [5, 5, 5]
    assert step1_scores(judge_edit(s.image, s.target_image, s.image, edit_type)) == [1, 1, 1]


def test_scores_are_graded_and_capped():
    s = generate("edit", "eval", 2, kind="background")
    src, tgt = np.asarray(s.image), np.asarray(s.target_image)
    rng = np.random.default_rng(0)
    seen = set()
    for fraction in (0.0, 0.2, 0.5, 0.8, 0.9, 1.0):
        take = rng.random(src.shape[:2]) < fraction  # mix of target and source pixels
        mixed = Image.fromarray(np.where(take[..., None], tgt, src))
        scores = judge_scores(mixed, s.target_image, s.image)
        assert all(1 <= x <= 5 for x in scores) and scores[1] <= scores[0] and scores[2] <= scores[0]
        seen.add(scores[0])
    assert len(seen) >= 4, "first score should move with how much of the edit is done"
    noisy = np.clip(tgt.astype(int) + rng.integers(-12, 13, tgt.shape), 0, 255).astype(np.uint8)
    assert judge_scores(Image.fromarray(noisy), s.target_image, s.image)[0] == 5, "small VQ-like noise is tolerated"


def test_resized_output_is_judged_at_target_size():
    s = generate("edit", "eval", 4, kind="add")
    big = s.target_image.resize((256, 256), Image.Resampling.NEAREST)
    assert judge_scores(big, s.target_image, s.image) == (5, 5, 5)


def test_judge_folder_reads_the_benchmark(tmp_path):
    make_benchmarks(tmp_path / "bench", seed=1, size=9, only=["imgedit"])
    results = tmp_path / "results"
    results.mkdir()
    for key in range(1, 9):  # key 9 missing on purpose
        (results / f"{key}.png").write_bytes((tmp_path / "bench/ImgEdit/world_targets" / f"{key}.png").read_bytes())
    replies = judge_folder(tmp_path / "bench", results)
    assert replies["9"] == {"error": "missing output 9.png"}
    assert all(step1_scores(replies[str(k)]) == [5, 5, 5] for k in range(1, 9))
