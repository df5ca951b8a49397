"""Pathway pretraining: the image pathway (vision tower, pool, projector) with the object readout, without the LM.

    python -m lavida_r1.sft.pathway --config FILE [--resume] [--until STEP]

A tiny tower trained from scratch on questions mixes the whole scene into every token and reads shapes only late,
if at all (docs/sft/skill-bridges.md, sections 12-14). Without the LM a step costs about a twentieth of an SFT
step, so the pathway can first learn, alone, to make every token say where it is and name its object's colour,
shape and box (`object_readout`); an SFT run then starts from the saved model (`init_checkpoint`: OUT/latest/model)
and readout heads (`init_object_readout`: OUT/latest). The model saved is the whole model, its LM as initialised
(or as loaded, when the config continues another run's pathway).

With `text_kinds` and a `glyph_readout_weight`, images with text (charts, digit rows, numbers and words, panels)
come in turn after the `name` scenes, and the glyph readout (`glyph_readout.py`) makes each token name the
characters it shows; the object heads train on the images that draw objects.

Writes into the config's `out` folder: `config.json`, `latest/` (as an SFT run's: model, optimizer, step and the
readout heads; replaced atomically every `save_every` steps and at the end) and `log.csv` (the readout loss per
step; every `eval_every` steps also the share of held-out object tokens whose colour and shape the readout names
right, the mean error in view pixels of their boxes and of every token's place, and with the glyph readout the
share of held-out glyphs named right in their slot and of text tokens with every slot right). Images are a pure
function of (seed, step), so `--resume` continues as an uninterrupted run would.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from ..config_files import load_config, training_arguments, write_config
from ..data.glyph_labels import glyph_labels
from ..data.object_labels import BACKGROUND, FIELDS, IGNORE, object_labels
from ..model import LavidaConfig, LavidaForMaskedDiffusion, get_preset, load_checkpoint
from ..model.image_processing import process_anyres
from ..model.vision import pooled_side
from ..progress import CsvLog, Progress
from ..training_state import (
    GLYPH_READOUT_PREFIX,
    LATEST,
    OBJECT_READOUT_PREFIX,
    load_glyph_readout,
    load_object_readout,
    load_training_state,
    save_training_state,
)
from .glyph_readout import GlyphReadout
from .init import initialize
from .object_readout import ObjectReadout, token_centres
from .optimizer import VISION, learning_rate
from .pathway_config import PathwayConfig
from .schedule import key_samples

EVAL_KIND = "shape_of"  # 2-5 objects: the scenes where a token must tell its object from the others
EVAL_COLUMNS = ("colour_right", "shape_right", "box_error", "place_error")
GLYPH_COLUMNS = ("glyph_right", "glyph_token_right")


def pathway_images(
    config: LavidaConfig, split: str, keys: list[str], start: int, count: int, seed: int = 0, glyphs: bool = False
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """(views [V, 3, S, S], object labels [V, T, FIELDS], glyph labels [V, T, slots] or None) of images
    start..start+count-1, the mixture keys `keys` in turn; an image that draws no objects has IGNORE object labels."""
    views, objects, texts = [], [], []
    tokens = pooled_side(config) ** 2
    for index in range(start, start + count):
        (sample,) = key_samples(keys[index % len(keys)], seed, [index], split)
        image = process_anyres(sample.image, config).pixel_values
        views.append(image)
        scene = sample.meta.get("drawn_objects")
        objects.append(
            object_labels(scene, sample.image.size, config)
            if scene is not None
            else torch.full((len(image), tokens, FIELDS), IGNORE)
        )
        if glyphs:
            texts.append(glyph_labels(sample.meta["drawn_glyphs"], sample.image.size, config))
    return torch.cat(views), torch.cat(objects), torch.cat(texts) if glyphs else None


def scene_images(
    config: LavidaConfig, split: str, kinds: list[str], start: int, count: int, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """(views, object labels) of `name` images start..start+count-1, kinds in turn."""
    views, labels, _ = pathway_images(config, split, [f"name:{k}" for k in kinds], start, count, seed)
    return views, labels


@torch.no_grad()
def readout_accuracy(
    model: LavidaForMaskedDiffusion, readout: ObjectReadout, views: torch.Tensor, labels: torch.Tensor
) -> tuple[float, float, float, float]:
    """The share of object tokens whose colour and whose shape the readout names right, and the mean error in view
    pixels of their boxes' edges and of every token's place."""
    encoded = model.encode_views(views)
    on_object = labels[..., 0] > BACKGROUND
    h = readout.norm(encoded[on_object])
    colour, shape = (
        (head(h).argmax(-1) == labels[..., i][on_object]).float().mean().item()
        for i, head in enumerate((readout.colour, readout.shape))
    )
    box_error = (readout.box(h) - readout.box_target(labels[on_object])).abs().mean().item()
    places = readout.place(readout.norm(encoded)) - token_centres(labels.shape[1], views.device)
    return colour, shape, box_error * readout.region, places.abs().mean().item() * readout.region


def initial_pathway(config: PathwayConfig) -> tuple[LavidaForMaskedDiffusion, ObjectReadout, GlyphReadout | None]:
    """A fresh model and readouts, or the config's `init_checkpoint`, `init_object_readout` (fresh box and place
    heads where those have none) and `init_glyph_readout`; no glyph readout without `text_kinds`."""
    torch.manual_seed(config.seed)
    if config.init_checkpoint:
        model = load_checkpoint(Path(config.init_checkpoint))
    else:
        model = LavidaForMaskedDiffusion(get_preset(config.preset))
        initialize(model, config.init_std)
    torch.manual_seed(config.seed + 1)
    readout = ObjectReadout(model.config)
    if config.init_object_readout:
        load_object_readout(Path(config.init_object_readout), readout)
    glyphs = GlyphReadout(model.config) if config.text_kinds else None  # drawn after the object heads: seeds kept
    if glyphs is not None and config.init_glyph_readout:
        load_glyph_readout(Path(config.init_glyph_readout), glyphs)
    return model, readout, glyphs


def pathway_optimizer(
    model: LavidaForMaskedDiffusion, readouts: list[torch.nn.Module], config: PathwayConfig
) -> torch.optim.AdamW:
    """The image pathway with weight decay, the readout heads without; the LM is not trained."""
    vision = [p for n, p in model.named_parameters() if n.startswith(VISION)]
    groups = [
        {"params": vision, "weight_decay": config.weight_decay},
        {"params": [p for readout in readouts for p in readout.parameters()], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.95))


def saved_readouts(readout: ObjectReadout, glyphs: GlyphReadout | None) -> torch.nn.ModuleDict:
    """The heads as a training state holds them (an SFT run's object heads under the same prefix)."""
    heads = {OBJECT_READOUT_PREFIX.rstrip("."): readout}
    if glyphs is not None:
        heads[GLYPH_READOUT_PREFIX.rstrip(".")] = glyphs
    return torch.nn.ModuleDict(heads)


def run(config: PathwayConfig, resume: bool = False, until: int | None = None) -> LavidaForMaskedDiffusion:
    torch.set_num_threads(config.threads)
    out = Path(config.out)
    start = 0
    if resume and (out / LATEST).exists():
        model, optimizer_state, start = load_training_state(out / LATEST)
        readout = ObjectReadout(model.config)
        load_object_readout(out / LATEST, readout)
        glyphs = GlyphReadout(model.config) if config.text_kinds else None
        if glyphs is not None:
            load_glyph_readout(out / LATEST, glyphs)
    else:
        (model, readout, glyphs), optimizer_state = initial_pathway(config), None
    optimizer = pathway_optimizer(model, [r for r in (readout, glyphs) if r is not None], config)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    model.train()
    held_out = scene_images(model.config, "eval", [EVAL_KIND], 0, config.eval_images, config.seed)
    keys = [f"name:{kind}" for kind in config.kinds] + config.text_kinds
    if glyphs is not None:
        text_views, _, text_labels = pathway_images(
            model.config, "eval", config.text_kinds, 0, config.eval_images, config.seed, glyphs=True
        )
    stop = min(until, config.steps) if until is not None else config.steps
    out.mkdir(parents=True, exist_ok=True)
    write_config(config, out / "config.json")
    columns = [*EVAL_COLUMNS, *(GLYPH_COLUMNS if glyphs is not None else ())]
    log = CsvLog(out / "log.csv", ["loss", "lr", "seconds", *columns], start)
    progress = Progress(stop, start, config.log_every)
    progress.note(f"pathway: steps {start + 1}-{stop} of {config.steps}, {config.batch_size} images, out {out}")
    shown: dict[str, float] = {}
    for step in range(start, stop):
        began = time.monotonic()
        views, labels, texts = pathway_images(
            model.config, "train", keys, step * config.batch_size, config.batch_size, config.seed, glyphs is not None
        )
        lr = learning_rate(config, step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        encoded = model.encode_views(views)
        loss = readout.loss(encoded, labels)
        if glyphs is not None:
            loss = loss + config.glyph_readout_weight * glyphs.loss(encoded, texts)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        right: dict[str, float] = {}
        if (step + 1) % config.eval_every == 0 or step + 1 == stop:
            right = dict(zip(EVAL_COLUMNS, readout_accuracy(model, readout, *held_out)))
            if glyphs is not None:
                with torch.no_grad():
                    right |= dict(zip(GLYPH_COLUMNS, glyphs.accuracy(model.encode_views(text_views), text_labels)))
            shown = {k.removesuffix("_right").removesuffix("_error"): v for k, v in right.items()}
        log.append(step + 1, loss=loss.item(), lr=lr, seconds=time.monotonic() - began, **right)
        progress.update(step + 1, loss=loss.item(), **shown)
        if (step + 1) % config.save_every == 0 or step + 1 == stop:
            save_training_state(out / LATEST, model, optimizer, step + 1, readout=saved_readouts(readout, glyphs))
    return model


def main(argv: list[str] | None = None) -> None:
    parser = training_arguments(
        "Pretrain the image pathway with the object (and glyph) readout, without the LM.",
        "lavida_r1/sft/pathway_config.py",
    )
    args = parser.parse_args(argv)
    run(load_config(PathwayConfig.from_file, args.config, "pathway"), args.resume, args.until)


if __name__ == "__main__":
    main()
