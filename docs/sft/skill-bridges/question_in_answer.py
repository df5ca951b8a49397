"""Does the answer canvas know which object the question names? A linear probe per layer.

To pick the named object by attention, the answer's queries must carry the naming word ("red" in "What shape is
the red object?"). For held-out items of a `name` scene kind (the world's eval split, seed 0; `shape_of_few` by
default), one forward pass as the first denoising step sees it (the prompt, then the `name` canvas all masked);
the residual stream entering each block (and leaving the last), averaged over the canvas's positions, is probed
with a softmax regression for the naming word, trained on the first `--train` items and scored on the others
(chance: 1/11 colours, 1/6 shapes). The same probe on the prompt's last token is printed beside it.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/question_in_answer.py --checkpoint DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from colour_probe import probe_accuracy
from greedy import block_inputs, name_pipeline

from lavida_r1.data.examples import DEFAULT_ANSWER_LENGTHS
from lavida_r1.inference import encode_request
from lavida_r1.world import generate
from lavida_r1.world.config import WorldConfig
from lavida_r1.world.perception_tasks import SCENE_NAME_KINDS, attribute_scene
from lavida_r1.world.seeds import sample_rng


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--kind", choices=SCENE_NAME_KINDS, default="shape_of_few")
    parser.add_argument("--train", type=int, default=400)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pipe = name_pipeline(args.checkpoint)
    model, config = pipe.model, pipe.model.config
    blocks = model.model.transformer.blocks
    entering = block_inputs(pipe)
    naming = "shape" if SCENE_NAME_KINDS[args.kind][0] == "colour" else "colour"
    canvas = DEFAULT_ANSWER_LENGTHS["name"]
    at_canvas, at_prompt_end, words = [], [], []
    for i in range(args.train + args.test):
        sample = generate("name", "eval", i, 0, kind=args.kind)
        objs = attribute_scene(sample_rng("eval", "name", i, 0), WorldConfig(), args.kind)[0]
        named = next(o for o in objs if getattr(o, SCENE_NAME_KINDS[args.kind][0]) == sample.answer)
        ids, features = encode_request(pipe, sample.prompt, sample.image)
        full = torch.cat([ids, torch.full((1, canvas), config.mask_token_id)], dim=1)
        entering.clear()
        hidden = model(full, image_features=features, prefix_len=ids.shape[1]).hidden
        layers = [*entering, hidden]  # [1, L, d] each
        at_canvas.append(torch.stack([h[0, ids.shape[1] :].mean(0) for h in layers]))
        at_prompt_end.append(torch.stack([h[0, ids.shape[1] - 1] for h in layers]))
        words.append(getattr(named, naming))
    canvas_x, prompt_x = torch.stack(at_canvas), torch.stack(at_prompt_end)  # [items, layers + 1, d]
    print(f"{args.checkpoint}: name:{args.kind}, the naming {naming}; train {args.train}, test {args.test}")
    print("| entering block | answer canvas | last prompt token |\n|---|---:|---:|")
    for layer in range(canvas_x.shape[1]):
        name = str(layer) if layer < len(blocks) else "output"
        canvas_acc = probe_accuracy(canvas_x[:, layer], words, args.train)
        prompt_acc = probe_accuracy(prompt_x[:, layer], words, args.train)
        print(f"| {name} | {canvas_acc:.3f} | {prompt_acc:.3f} |", flush=True)


if __name__ == "__main__":
    main()
