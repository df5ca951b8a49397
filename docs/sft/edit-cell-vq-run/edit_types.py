"""Where held-out edits fail, per edit type: the judge's agreements with the model's own plan and with the true plan.

For each of the first N eval edits: the model's plan (greedy) and whether it equals the true plan; the oracle score
of the edit decoded after the model's own plan and after the true plan (same image sampler); the share of the edit
region that matches the target (`inside`) and of the rest (`outside`). Run from train/ with its venv:

    PYTHONPATH=. .venv/bin/python ../docs/sft/edit-cell-vq-run/edit_types.py --checkpoint DIR [--n 48]
        [--guidance-scale S --image-guidance-scale S_IMG]   (greedy, 16 steps; 0 = no guidance)
        [--types add,replace]                                (only those edit types among the first N)
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import torch

from lavida_r1 import prompts
from lavida_r1.data.examples import image_to_vq
from lavida_r1.inference import Pipeline, default_image_sampler, edit_image, encode_request, vq_to_image
from lavida_r1.model import load_checkpoint
from lavida_r1.sampling.image import generate_image
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate
from lavida_r1.world.oracle_judge import agreements, judge_scores


def edit_after_plan(pipe: Pipeline, sample, plan: str):
    """The image decoded after `plan` written into the canvas (what `edit_image` does after its own plan)."""
    model, c = pipe.model, pipe.model.config
    ids, features = encode_request(pipe, sample.prompt, sample.image, edit=True)
    source = image_to_vq(model.model.vqvae, sample.image, c.vq.image_size)[None]
    answer = torch.tensor([prompts.edit_answer_ids(pipe.tokenizer, c, plan, pipe.plan_length)])
    condition = torch.tensor([prompts.edit_condition_mask(c, ids[0].tolist()) + [False] * answer.shape[1]])
    vq = generate_image(model, torch.cat((ids, answer), dim=1), pipe.image, grid=c.vq.grid_size,
                        image_features=features, edit_vq=source, condition_mask=condition, prefix_len=ids.shape[1]).vq
    return vq_to_image(model, vq[0])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--tokenizer", type=Path, default=Path("checkpoints/lavida-r1-tiny/tokenizer.json"))
    p.add_argument("--n", type=int, default=48)
    p.add_argument("--types", help="comma-separated edit types to keep (default: all)")
    p.add_argument("--guidance-scale", type=float, default=0.0)
    p.add_argument("--image-guidance-scale", type=float, default=0.0)
    a = p.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(a.checkpoint)
    sampler = replace(default_image_sampler(), guidance_scale=a.guidance_scale, image_guidance_scale=a.image_guidance_scale)
    pipe = Pipeline(model, load_tokenizer(a.tokenizer, model.config), image=sampler)
    rows = defaultdict(list)
    for i in range(a.n):
        s = generate("edit", "eval", i)
        if a.types and s.meta["edit_type"] not in a.types.split(","):
            continue
        plan, own = edit_image(pipe, s.prompt, s.image)
        true = edit_after_plan(pipe, s, s.reasoning)
        row = {
            "type": s.meta["edit_type"], "plan": plan, "true_plan": s.reasoning, "plan_exact": plan == s.reasoning,
            "score_own_plan": sum(judge_scores(own, s.target_image, s.image)) / 3,
            "score_true_plan": sum(judge_scores(true, s.target_image, s.image)) / 3,
            "agreements_own_plan": agreements(own, s.target_image, s.image),
            "agreements_true_plan": agreements(true, s.target_image, s.image),
        }
        rows[row["type"]].append(row)
        print(json.dumps(row), flush=True)
    print("| type | n | plan exact | score (own plan) | score (true plan) | inside | outside | inside (true plan) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, rs in sorted(rows.items()):
        mean = lambda f: sum(f(r) for r in rs) / len(rs)
        print(f"| {kind} | {len(rs)} | {mean(lambda r: r['plan_exact']):.2f} | {mean(lambda r: r['score_own_plan']):.2f} "
              f"| {mean(lambda r: r['score_true_plan']):.2f} | {mean(lambda r: r['agreements_own_plan'][0]):.2f} "
              f"| {mean(lambda r: r['agreements_own_plan'][1]):.2f} | {mean(lambda r: r['agreements_true_plan'][0]):.2f} |")


if __name__ == "__main__":
    main()
