"""Per-character accuracy of greedy readings, per glyph scale: how close the readings that are not exact come.

For each held-out `read` item (the world's eval split, seed 0, the items `diagnose --reading` uses), the greedy
reading (the diagnosis's 8-token canvas) against the written text: exact, and the share of the text's characters
matched by a longest-common-subsequence alignment (so one dropped character costs one character, not the rest).

    cd train && .venv/bin/python ../docs/sft/reading-scales-run/characters.py --checkpoint checkpoints/reading-stage --n 64
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lavida_r1.data.examples import DEFAULT_ANSWER_LENGTHS
from lavida_r1.inference import Pipeline, answer_question
from lavida_r1.model import load_checkpoint
from lavida_r1.model.canvases import read_canvases
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate
from lavida_r1.world.perception_tasks import READ_SCALES


def common_subsequence(a: str, b: str) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--n", type=int, default=64)
    a = p.parse_args()
    model = load_checkpoint(a.checkpoint).eval()
    pipe = Pipeline(
        model, load_tokenizer(a.checkpoint / "tokenizer.json", model.config), canvases=read_canvases(a.checkpoint)
    )
    reader = pipe.greedy(DEFAULT_ANSWER_LENGTHS["read"])
    print("| scale | n | exact | characters matched |\n|---|---:|---:|---:|")
    for scale in READ_SCALES:
        samples = [generate("read", "eval", i, 0, kind=scale) for i in range(a.n)]
        readings = [answer_question(reader, s.prompt, s.image).strip() for s in samples]
        exact = sum(r == s.answer for r, s in zip(readings, samples))
        matched = sum(common_subsequence(r, s.answer) for r, s in zip(readings, samples))
        total = sum(len(s.answer) for s in samples)
        print(f"| {scale} | {a.n} | {exact}/{a.n} | {matched}/{total} ({matched / total:.2f}) |")


if __name__ == "__main__":
    main()
