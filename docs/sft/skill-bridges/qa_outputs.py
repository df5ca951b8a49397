"""What a checkpoint writes for held-out items of one QA kind, beside what it should: a Markdown table of the
question, the target reasoning and answer, and the model's whole output (the evaluator's decoding: greedy, one
token per pass in blocks of 16 over the family's trained canvas), with the count of exact answers.

    cd train && PYTHONPATH=../docs/sft/skill-bridges:. .venv/bin/python ../docs/sft/skill-bridges/qa_outputs.py \
        --checkpoint DIR --key mcq:colour_of [--n 8]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from lavida_r1.evaluation import eval_samples
from lavida_r1.inference import Pipeline, answer_question
from lavida_r1.model import load_checkpoint
from lavida_r1.model.canvases import read_canvases
from lavida_r1.scoring import answer_correct
from lavida_r1.tokenizer import load_tokenizer, tokenizer_for


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--key", required=True, help="family or family:kind (multiple choice alternates settings)")
    parser.add_argument("--n", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint).eval()
    tokenizer = load_tokenizer(tokenizer_for(args.checkpoint, None), model.config)
    pipe = Pipeline(model, tokenizer, canvases=read_canvases(args.checkpoint))
    family = args.key.partition(":")[0]
    print(f"`{args.key}`, held-out items 0-{args.n - 1} (seed 0), `{args.checkpoint.name}`\n")
    print("| question | options | target | output |\n|---|---|---|---|")
    right = 0
    for sample in eval_samples(args.key, args.n, 0):
        output = answer_question(pipe, sample.prompt, sample.image, family)
        right += answer_correct(sample, output)
        options = ", ".join(sample.options or [])
        target = f"{sample.reasoning} → {sample.answer}"
        print(f"| {cell(sample.question)} | {cell(options)} | {cell(target)} | {cell(output)} |")
    print(f"\n{right} of {args.n} answers right.")


if __name__ == "__main__":
    main()
