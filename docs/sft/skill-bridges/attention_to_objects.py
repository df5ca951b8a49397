"""Does the answer look at the object the question names? Attention from the answer canvas (or from the question's
word that names the object) to each object's image tokens, layer by layer.

For held-out two-object items of a `name` scene kind (the world's eval split, seed 0; `shape_of_few` by default:
"What shape is the red object?" over one or two objects, the two-object ones kept), one forward pass as the
first denoising step sees it: the prompt, then the `name` canvas all masked. Each object's image tokens are the
`<image>` slots whose embedding changes when the object alone is drawn on the blank image (by more than half the
largest change that object makes). Per layer: the attention mass (mean over heads and the canvas's positions) on
the named object's tokens and on the other object's, per token, and how often the named object gets more per
token; then that share per head. A model that binds the question to its object puts more on the named one in
some layer or head (0.5: no preference). `--source word` measures from the naming word's tokens ("red" in "What
shape is the red object?", every piece of it) instead of the canvas.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/attention_to_objects.py --checkpoint DIR --n 200
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from greedy import name_pipeline

from lavida_r1.data.examples import DEFAULT_ANSWER_LENGTHS
from lavida_r1.inference import encode_request
from lavida_r1.model import llada
from lavida_r1.model.image_processing import process_anyres
from lavida_r1.world import generate
from lavida_r1.world.config import WorldConfig
from lavida_r1.world.perception_tasks import SCENE_NAME_KINDS, attribute_scene
from lavida_r1.world.raster import to_image
from lavida_r1.world.scenes import render
from lavida_r1.world.seeds import sample_rng


def recording_attention(store: list[torch.Tensor]) -> SimpleNamespace:
    """torch.nn.functional with scaled_dot_product_attention also keeping its probabilities [B, heads, Lq, Lk]."""

    def attention(q, k, v, attn_mask=None):
        scores = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
        if attn_mask is not None:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        probs = scores.softmax(-1)
        store.append(probs)
        return probs @ v

    return SimpleNamespace(**{**vars(F), "scaled_dot_product_attention": attention})


def object_slots(model, objs, height: int, width: int) -> list[torch.Tensor]:
    """Per object, the indices of the `<image>` slots its solo drawing changes most."""
    encode = lambda drawn: model.encode_image(process_anyres(to_image(render(drawn, width, height)), model.config))  # noqa: E731
    blank = encode([])
    slots = []
    for obj in objs:
        change = (encode([obj]) - blank).norm(dim=-1)
        slots.append((change > change.max() / 2).nonzero().flatten())
    return slots


def word_positions(ids: list[int], word: list[int]) -> list[int]:
    """The positions of the last occurrence of the token sequence `word` in `ids` (the question follows the image)."""
    starts = [i for i in range(len(ids) - len(word) + 1) if ids[i : i + len(word)] == word]
    if not starts:
        raise ValueError(f"word tokens {word} not in the prompt")
    return list(range(starts[-1], starts[-1] + len(word)))


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--kind", choices=SCENE_NAME_KINDS, default="shape_of_few")
    parser.add_argument("--n", type=int, default=200, help="items drawn (those with two objects are measured)")
    parser.add_argument("--source", choices=("canvas", "word"), default="canvas")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pipe = name_pipeline(args.checkpoint)
    model, config = pipe.model, pipe.model.config
    store: list[torch.Tensor] = []
    llada.F = recording_attention(store)
    attribute = SCENE_NAME_KINDS[args.kind][0]
    naming = "shape" if attribute == "colour" else "colour"
    canvas = DEFAULT_ANSWER_LENGTHS["name"]
    named_mass, other_mass = [], []
    for i in range(args.n):
        sample = generate("name", "eval", i, 0, kind=args.kind)
        objs, height, _, _ = attribute_scene(sample_rng("eval", "name", i, 0), WorldConfig(), args.kind)
        if len(objs) != 2:
            continue
        ids, features = encode_request(pipe, sample.prompt, sample.image)
        image_positions = (ids[0] == config.image_token_id).nonzero().flatten()
        full = torch.cat([ids, torch.full((1, canvas), config.mask_token_id)], dim=1)
        store.clear()
        model(full, image_features=features, prefix_len=ids.shape[1])
        named = next(j for j, o in enumerate(objs) if getattr(o, attribute) == sample.answer)
        slots = object_slots(model, objs, height, WorldConfig().understand_size)
        queries = (
            word_positions(
                ids[0].tolist(), pipe.tokenizer.encode(" " + getattr(objs[named], naming), add_special_tokens=False).ids
            )
            if args.source == "word"
            else slice(ids.shape[1], None)
        )
        per_head = torch.stack([p[0, :, queries].mean(dim=1) for p in store])  # [layers, heads, keys]
        mass = [per_head[..., image_positions[s]].sum(-1) / len(s) for s in slots]  # [layers, heads] per token
        named_mass.append(mass[named])
        other_mass.append(mass[1 - named])
    named_t, other_t = torch.stack(named_mass), torch.stack(other_mass)  # [items, layers, heads]
    more = (named_t.mean(-1) > other_t.mean(-1)).float()
    n = len(named_mass)
    print(f"{args.checkpoint}: name:{args.kind}, from the {args.source}, two-object items n = {n}")
    heads = named_t.shape[-1]
    print(
        f"| layer | per token, named object | other object | named gets more | {' | '.join(f'head {h}' for h in range(heads))} |"
    )
    print("|---:|---:|---:|---:|" + "---:|" * heads)
    for layer in range(named_t.shape[1]):
        by_head = " | ".join(f"{x:.2f}" for x in (named_t[:, layer] > other_t[:, layer]).float().mean(0).tolist())
        print(
            f"| {layer} | {named_t[:, layer].mean():.4f} | {other_t[:, layer].mean():.4f} "
            f"| {more[:, layer].mean():.2f} ± {more[:, layer].std() / n**0.5:.2f} | {by_head} |"
        )


if __name__ == "__main__":
    main()
