"""The SFT object readout: each view token's label is the object its pixels show, rows without objects are left out
of the loss, and training the readout makes the projected tokens name their objects."""

import csv
from dataclasses import replace

import pytest
import torch
from test_tokenizer import COMMITTED

from lavida_r1.data.batch import collate
from lavida_r1.data.examples import ExampleBuilder
from lavida_r1.data.object_labels import COLOUR_CLASSES, FIELDS, IGNORE, object_labels
from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.image_processing import process_anyres
from lavida_r1.model.vision import token_region
from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.init import initialize
from lavida_r1.sft.loop import run
from lavida_r1.sft.object_readout import ObjectReadout
from lavida_r1.sft.optimizer import VISION
from lavida_r1.sft.pathway import readout_accuracy
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate
from lavida_r1.world.palette import OBJECT_COLOURS
from lavida_r1.world.raster import SHAPES


@pytest.fixture(scope="module")
def config():
    return get_preset("tiny")


def scene(i: int):
    return generate("name", "train", i, 0, kind="shape_of")


def assert_labels_show_their_objects(sample, config) -> None:
    """Every object is labelled somewhere, nothing else is, each labelled token's region of the processed views
    holds its object's colour (a few pixels: a scene shrunk into the views blends its objects' edges) and its
    object's box is a valid box of the view that overlaps the token's region."""
    region = token_region(config)
    objs = sample.meta["drawn_objects"]
    labels = object_labels(objs, sample.image.size, config)
    pixels = process_anyres(sample.image, config).pixel_values  # normalised to [-1, 1]
    side = int(labels.shape[1] ** 0.5)
    assert labels.shape == (pixels.shape[0], side * side, FIELDS)
    pairs = {(COLOUR_CLASSES.index(o.colour) + 1, SHAPES.index(o.shape) + 1) for o in objs}
    seen = {tuple(p) for p in labels[..., :2].reshape(-1, 2).tolist()}
    assert seen - {(0, 0)} == pairs, sample.id
    for view, token in (labels[..., 0] > 0).nonzero().tolist():
        colour = torch.tensor(OBJECT_COLOURS[COLOUR_CLASSES[labels[view, token, 0] - 1]]) / 127.5 - 1
        r, c = divmod(token, side)
        cell = pixels[view, :, r * region : (r + 1) * region, c * region : (c + 1) * region]
        close = (cell - colour[:, None, None]).abs().amax(0) < 0.1
        assert close.sum() >= 2, (sample.id, view, token)
        x1, y1, x2, y2 = labels[view, token, 2:].tolist()
        assert 0 <= x1 < x2 <= side * region and 0 <= y1 < y2 <= side * region, (sample.id, view, token)
        assert x1 < (c + 1) * region and x2 > c * region and y1 < (r + 1) * region and y2 > r * region


def test_a_lone_objects_box_in_the_base_view_is_its_box_in_the_padded_image_scaled(config):
    for i in range(4):
        sample = generate("name", "train", i, 0, kind="large")
        (obj,) = sample.meta["drawn_objects"]
        labels = object_labels([obj], sample.image.size, config)
        base = labels[0][labels[0, :, 0] > 0]
        width, height = sample.image.size
        side = max(width, height)  # the base view pads the image to a centred square
        offset = torch.tensor([side - width, side - height] * 2) / 2
        expected = (torch.tensor(obj.box) + offset) * config.vision.image_size / side
        assert (base[:, 2:] == base[0, 2:]).all()  # every token of the object carries the same box
        assert (base[0, 2:] - expected).abs().max() <= 1.5, (sample.id, base[0, 2:].tolist(), expected.tolist())


def test_every_labelled_token_shows_its_objects_colour_and_every_object_is_labelled(config):
    for i in range(6):
        assert_labels_show_their_objects(scene(i), config)


@pytest.mark.parametrize(
    "family, options",
    [
        ("math", {"kind": "count"}),
        ("math", {"kind": "colour_mc"}),
        ("mcq", {"kind": "shape_of_colour", "setting": "standard"}),
        ("mcq", {"kind": "count_colour", "setting": "vision"}),  # the scene above the printed options
        ("grounding", {}),
        ("caption", {"kind": "objects"}),
        ("caption", {"kind": "panel"}),
        ("locate", {}),
        ("spot", {}),
    ],
)
def test_every_family_that_draws_a_scene_labels_it(config, family, options):
    samples = [generate(family, "train", i, 0, **options) for i in range(4)]
    scenes = [s for s in samples if s.meta["drawn_objects"] is not None]  # a panel may show digits instead
    assert len(scenes) >= 2
    for sample in scenes:
        assert_labels_show_their_objects(sample, config)


def test_images_without_a_scene_hold_no_objects():
    for family, options in [("math", {"kind": "digit_sum"}), ("chart", {}), ("caption", {"kind": "chart"})]:
        assert generate(family, "train", 0, 0, **options).meta.get("drawn_objects") is None, family


def test_a_blank_image_is_background_everywhere(config):
    sample = scene(0)
    assert object_labels([], sample.image.size, config).abs().sum() == 0


@pytest.fixture(scope="module")
def labelled_batch(config):
    builder = ExampleBuilder(config, load_tokenizer(COMMITTED, config), {"name": 8}, False, None, label_objects=True)
    examples = [builder.build(scene(i)) for i in range(3)]
    return examples, collate([examples[0], replace(examples[1], object_labels=None), examples[2]], config)


def test_a_row_without_labels_is_ignored_and_the_others_keep_theirs(labelled_batch):
    examples, batch = labelled_batch
    views = [e.image.pixel_values.shape[0] for e in examples]
    assert batch.object_labels.shape[0] == sum(views)
    first, second = views[0], views[0] + views[1]
    assert torch.equal(batch.object_labels[:first], examples[0].object_labels)
    assert (batch.object_labels[first:second] == IGNORE).all()
    assert torch.equal(batch.object_labels[second:], examples[2].object_labels)


def test_training_the_readout_through_the_pathway_makes_tokens_name_their_objects_and_places(config, labelled_batch):
    _, batch = labelled_batch
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(config)
    initialize(model, 0.02)
    readout = ObjectReadout(config)
    views = torch.cat([image.pixel_values for image in batch.images])
    labelled = batch.object_labels[:, 0, 0] >= 0
    before = readout_accuracy(model, readout, views[labelled], batch.object_labels[labelled])
    params = [p for n, p in model.named_parameters() if n.startswith(VISION)]
    optimizer = torch.optim.AdamW(params + list(readout.parameters()), lr=3e-3)
    losses = []
    for _ in range(150):
        loss = readout.loss(model.encode_views(views), batch.object_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    after = readout_accuracy(model, readout, views[labelled], batch.object_labels[labelled])
    assert losses[-1] < 0.2 * losses[0]
    assert after[0] > 0.9 and after[1] > 0.9  # colour and shape of every object token
    assert after[2] < 0.5 * before[2] and after[3] < 0.5 * before[3]  # box edges and places, in view pixels


def test_an_sft_run_with_the_object_readout_logs_its_loss(tmp_path):
    config = SFTConfig(
        mixture={"name:shape_of_few": 1.0},
        steps=2,
        batch_size=2,
        warmup_steps=1,
        log_every=100,
        threads=1,
        tokenizer=str(COMMITTED),
        answer_lengths={"name": 8},
        object_readout_weight=1.0,
        out=str(tmp_path / "run"),
    )
    run(config, resume=False)
    with (tmp_path / "run" / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and all(float(r["readout_loss"]) > 0 for r in rows)
