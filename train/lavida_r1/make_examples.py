"""The README's example images: for each task, the first held-out world item a checkpoint handles correctly
with the reference greedy pipelines (the server's defaults), written with the request and expected answer.

    python -m lavida_r1.make_examples --checkpoint checkpoints/lavida-r1-tiny --out ../examples

Writes OUT/<name>.png and OUT/examples.json; edits also OUT/edit-target.png (the exact target). Picking items
the model gets right keeps the documented curl examples truthful; the model's overall held-out scores are in
train/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from .fsutil import write_atomic
from .inference import Pipeline, answer_question, edit_image, ground
from .model import load_checkpoint
from .model.canvases import read_canvases
from .scoring import answer_correct, box_iou, edit_score, extract_answer
from .tokenizer import load_tokenizer
from .world import Sample, generate

VQA = {"count": "math", "chart": "chart", "choice": "mcq"}


def first(family: str, limit: int, accept, **options) -> tuple[Sample, object] | None:
    for i in range(limit):
        sample = generate(family, "eval", i, 0, **options)
        outcome = accept(sample)
        if outcome is not None:
            return sample, outcome
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the README's example images and expected answers.")
    parser.add_argument("--checkpoint", type=Path, default=Path("checkpoints/lavida-r1-tiny"))
    parser.add_argument("--out", type=Path, default=Path("../examples"))
    parser.add_argument("--limit", type=int, default=60, help="held-out items tried per task")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model = load_checkpoint(args.checkpoint).eval()
    # the checkpoint's canvases, as its package serves them: questions without a task over the longest, edits'
    # plans over edit_plan (UNIFORM's 64 would pick edits the server decodes differently)
    tokenizer = load_tokenizer(args.checkpoint / "tokenizer.json", model.config)
    pipe = Pipeline(model, tokenizer, canvases=read_canvases(args.checkpoint))
    args.out.mkdir(parents=True, exist_ok=True)
    examples, missing = [], []
    for name, family in VQA.items():

        def correct(s: Sample):
            response = answer_question(pipe, s.prompt, s.image)
            return response if answer_correct(s, response) else None

        found = first(family, args.limit, correct, **({"setting": "standard"} if family == "mcq" else {}))
        if found is None:
            missing.append(name)
            continue
        sample, response = found
        sample.image.save(args.out / f"{name}.png")
        examples.append(
            {
                "name": name,
                "endpoint": "/v1/vqa",
                "image": f"{name}.png",
                "question": sample.prompt,
                "answer": extract_answer(response),
                "relaxed": family == "chart",
            }
        )
    found = first(
        "grounding",
        args.limit,
        lambda s: box if box_iou(box := ground(pipe, s.prompt, s.image), list(s.box)) >= 0.5 else None,
    )
    if found is None:
        missing.append("ground")
    else:
        sample, box = found
        sample.image.save(args.out / "ground.png")
        examples.append(
            {
                "name": "ground",
                "endpoint": "/v1/ground",
                "image": "ground.png",
                "description": sample.question,
                "box": list(sample.box),
            }
        )
    scored = [
        (edit_score(s, edit_image(pipe, s.prompt, s.image)[1]), i)
        for i in range(min(args.limit, 12))
        for s in [generate("edit", "eval", i, 0)]
    ]
    score, index = max(scored)
    sample = generate("edit", "eval", index, 0)
    sample.image.save(args.out / "edit.png")
    sample.target_image.save(args.out / "edit-target.png")
    examples.append(
        {
            "name": "edit",
            "endpoint": "/v1/edit",
            "image": "edit.png",
            "instruction": sample.question,
            "target": "edit-target.png",
            "oracle_score": round(score, 3),
        }
    )
    write_atomic(
        args.out / "examples.json",
        json.dumps({"checkpoint": str(args.checkpoint), "examples": examples}, indent=2) + "\n",
    )
    print(json.dumps(examples, indent=2))
    if missing:
        sys.exit(f"make_examples: no correctly answered item within {args.limit} for {missing}")


if __name__ == "__main__":
    main()
