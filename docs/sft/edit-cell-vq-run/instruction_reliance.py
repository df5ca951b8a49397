"""Does a checkpoint use the words of its prompt? Answer cross-entropy with the true prompt vs a prompt naming
something else, the target unchanged (teacher-forced, complementary masks, same masks for both).

- edit: 24 train-split add / replace edits, the colour of the object to draw (the instruction's last colour word,
  found nowhere in the source image) replaced by another colour; reports the cross-entropy of that colour's
  mention in the plan ("Draw a small green circle").
- chart: 32 train-split "What is the value of X?" questions, X replaced by another label of the same chart; reports
  the cross-entropy of X's first mention in the reasoning.

    PYTHONPATH=. .venv/bin/python ../docs/sft/edit-cell-vq-run/instruction_reliance.py --checkpoint DIR
"""
from __future__ import annotations

import argparse
import random
from dataclasses import replace
from pathlib import Path

import torch

from lavida_r1.data.batch import collate
from lavida_r1.data.examples import ExampleBuilder
from lavida_r1.model import load_checkpoint
from lavida_r1.sft.loss import token_cross_entropy
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate
from lavida_r1.world.palette import OBJECT_COLOURS

LENGTHS = {"math": 64, "chart": 80, "mcq": 48, "edit": 80}


def drawn_colour(prompt: str) -> str:
    return max((prompt.rfind(f" {c} "), c) for c in OBJECT_COLOURS)[1]


def swap_colour(prompt: str, rng: random.Random) -> str:
    colour = drawn_colour(prompt)
    at = prompt.rfind(f" {colour} ")
    other = rng.choice([c for c in OBJECT_COLOURS if c != colour])
    return prompt[:at] + f" {other} " + prompt[at + len(colour) + 2 :]


def mention_ce(ce: torch.Tensor, answers: torch.Tensor, row: int, ids: list[int], last: bool = False) -> float:
    """Mean cross-entropy of the first (or last) occurrence of `ids` in the answer row."""
    seq = answers[row].tolist()
    starts = [j for j in range(len(seq)) if seq[j : j + len(ids)] == ids]
    start = starts[-1] if last else starts[0]
    return ce[row, start : start + len(ids)].mean().item()


def swap_label(sample, rng: random.Random):
    asked = sample.meta["a"]
    other = rng.choice([label for label in sample.meta["labels"] if label != asked])
    return replace(sample, prompt=sample.prompt.replace(asked, other))


def cross_entropy(model, examples) -> tuple[torch.Tensor, torch.Tensor]:
    batch = collate(examples, model.config)
    with torch.no_grad():
        return token_cross_entropy(model, batch, torch.Generator().manual_seed(0)), batch.answer_ids


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--tokenizer", type=Path, default=Path("checkpoints/lavida-r1-tiny/tokenizer.json"))
    a = p.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(a.checkpoint)
    c = model.config
    tok = load_tokenizer(a.tokenizer, c)
    build = ExampleBuilder(c, tok, LENGTHS, False, model.model.vqvae).build
    rng = random.Random(0)

    edits = [s for s in (generate("edit", "train", i) for i in range(200)) if s.meta["edit_type"] in ("add", "replace")]
    edits = [s for s in edits if any(f" {col} " in s.prompt for col in OBJECT_COLOURS)][:24]
    swapped = [replace(s, prompt=swap_colour(s.prompt, rng)) for s in edits]
    for name, group in (("true instruction", edits), ("colour replaced", swapped)):
        ce, answers = cross_entropy(model, [build(s) for s in group])
        colour_ids = [tok.encode(" " + drawn_colour(s.prompt), add_special_tokens=False).ids for s in edits]
        mentions = [mention_ce(ce, answers, row, ids, last=True) for row, ids in enumerate(colour_ids)]
        print(f"edit plan, drawn colour, {name}: {sum(mentions) / len(mentions):.3f} nats per token (n = {len(mentions)})")

    charts = [s for s in (generate("chart", "train", i) for i in range(300)) if s.meta["kind"] == "value"][:32]
    other = [swap_label(s, rng) for s in charts]
    for name, group in (("true question", charts), ("label replaced", other)):
        ce, answers = cross_entropy(model, [build(s) for s in group])
        label_ids = [tok.encode(" " + s.meta["a"], add_special_tokens=False).ids for s in charts]
        mentions = [mention_ce(ce, answers, row, ids) for row, ids in enumerate(label_ids)]
        print(f"chart label mention, {name}: {sum(mentions) / len(mentions):.3f} nats per token (n = {len(mentions)})")


if __name__ == "__main__":
    main()
