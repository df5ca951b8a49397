"""How fast does lavida-r1-tiny learn to read one `read` kind, and what slows it? (docs/sft/reading-interference.md)

Trains a checkpoint on one `read` kind (optionally with `locate` batches mixed in) with the SFT loss and, every
--eval-every steps, scores the first answer token with the whole canvas masked on 96 held-out items: for `huge`
(one character) that token is the whole reading. Run from train/ with its venv:

    .venv/bin/python ../docs/sft/reading-interference/read_one_kind.py --steps 300 [--batch 32] [--lr 1e-3]
        [--init perception|fresh|DIR] [--fresh-language-model] [--freeze-vision] [--image-rms R] [--embedding-std S]
        [--locate 0.15 --mode alternate|accumulate]
"""
from __future__ import annotations

import argparse
import random
import time

import torch
import torch.nn.functional as F

from lavida_r1.data.batch import Batch, collate
from lavida_r1.data.examples import ExampleBuilder
from lavida_r1.data.image_features import image_features
from lavida_r1.model import LavidaForMaskedDiffusion, get_preset, load_checkpoint
from lavida_r1.sampling.text import prompt_positions
from lavida_r1.sft.init import initialize
from lavida_r1.sft.loss import sft_loss
from lavida_r1.sft.optimizer import VISION
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate

EVAL_ITEMS = 96


def load_model(init: str) -> LavidaForMaskedDiffusion:
    if init == "fresh":
        model = LavidaForMaskedDiffusion(get_preset("tiny"))
        initialize(model, 0.02)
        return model
    return load_checkpoint("checkpoints/perception-stage" if init == "perception" else init)


@torch.no_grad()
def first_token_scores(model: LavidaForMaskedDiffusion, batch: Batch) -> tuple[int, float]:
    """(argmax hits, summed cross-entropy) of the first answer token, every answer token masked."""
    c = model.config
    cache = model(batch.prompt_ids, image_features=image_features(model, batch), attention_mask=batch.prompt_mask,
                  position_ids=prompt_positions(batch.prompt_mask), use_cache=True).cache
    canvas = torch.full_like(batch.answer_ids, c.mask_token_id)
    positions = batch.prompt_mask.sum(1, keepdim=True) + torch.arange(canvas.shape[1])[None]
    first = model(canvas, attention_mask=torch.ones_like(canvas), position_ids=positions, past=cache).logits[:, 0]
    target = batch.answer_ids[:, 0]
    return int((first.argmax(-1) == target).sum()), float(F.cross_entropy(first.float(), target, reduction="sum"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--init", default="perception", help="perception (checkpoints/perception-stage), fresh or a DIR")
    p.add_argument("--kind", default="huge")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--freeze-vision", action="store_true", help="train the language model only")
    p.add_argument("--image-rms", type=float, help="override the config's image_embedding_rms")
    p.add_argument("--embedding-std", type=float, help="re-initialise wte with this std")
    p.add_argument("--fresh-language-model", action="store_true",
                   help="keep the init's image pathway, re-initialise the language model (transformer)")
    p.add_argument("--locate", type=float, default=0.0, help="share of `locate` samples")
    p.add_argument("--mode", choices=("alternate", "accumulate"), default="alternate",
                   help="locate as whole batches drawn with that probability, or as that share of every batch")
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    model = load_model(a.init)
    if a.fresh_language_model:
        fresh = load_model("fresh")
        model.model.transformer.load_state_dict(fresh.model.transformer.state_dict())
    if a.embedding_std is not None:
        torch.nn.init.normal_(model.model.transformer.wte.weight, 0.0, a.embedding_std)
    if a.image_rms is not None:
        model.config.image_embedding_rms = a.image_rms
    builder = ExampleBuilder(model.config, load_tokenizer("checkpoints/lavida-r1-tiny/tokenizer.json", model.config),
                             {"read": 8}, False, None)
    named = [(n, q) for n, q in model.named_parameters() if not n.startswith("model.vqvae.")]
    if a.freeze_vision:
        for name, param in named:
            param.requires_grad_(not name.startswith(VISION))
        named = [(n, q) for n, q in named if q.requires_grad]
    params = [q for _, q in named]
    optimizer = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)
    held_out = [builder.build(generate("read", "eval", i, 0, kind=a.kind)) for i in range(EVAL_ITEMS)]
    draw = random.Random(a.seed)

    def evaluate(step: int, losses: list[float], began: float) -> None:
        model.eval()
        hits, ce = map(sum, zip(*(first_token_scores(model, collate(held_out[s:s + 32], model.config))
                                  for s in range(0, EVAL_ITEMS, 32))))
        model.train()
        loss = f" loss {sum(losses) / len(losses):.3f}" if losses else ""
        print(f"step {step}{loss} acc0 {hits / EVAL_ITEMS:.3f} ce0 {ce / EVAL_ITEMS:.3f} "
              f"({time.monotonic() - began:.0f}s)", flush=True)

    def part_loss(step: int, family: str, rows: int, **options) -> torch.Tensor:
        samples = [generate(family, "train", step * a.batch + i, a.seed + 5, **options) for i in range(rows)]
        return sft_loss(model, collate([builder.build(s) for s in samples], model.config),
                        torch.Generator().manual_seed(step)).total

    began, losses = time.monotonic(), []
    evaluate(0, losses, began)
    for step in range(a.steps):
        for group in optimizer.param_groups:
            group["lr"] = a.lr * min(1.0, (step + 1) / 20)
        located = round(a.batch * a.locate) if a.mode == "accumulate" else 0
        if a.mode == "alternate" and draw.random() < a.locate:
            loss = part_loss(step, "locate", a.batch)
        elif located:
            loss = ((a.batch - located) * part_loss(step, "read", a.batch - located, kind=a.kind)
                    + located * part_loss(step, "locate", located)) / a.batch
        else:
            loss = part_loss(step, "read", a.batch, kind=a.kind)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        losses.append(loss.item())
        if (step + 1) % a.eval_every == 0:
            evaluate(step + 1, losses, began)
            losses = []


if __name__ == "__main__":
    main()
