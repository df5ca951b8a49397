"""The perception stage's training families: captions that list everything, single-object grounding, one object
per size band, one text per glyph scale."""

import itertools
import random
import re

import numpy as np
import pytest

from lavida_r1.boxes import bins_to_box, box_to_bins
from lavida_r1.config_files import TRAIN_DIR
from lavida_r1.data.examples import DEFAULT_ANSWER_LENGTHS
from lavida_r1.model import get_preset
from lavida_r1.prompts import text_answer_ids
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate, sft_target
from lavida_r1.world.chart_tasks import CATEGORY_WORDS, MONTHS
from lavida_r1.world.config import WorldConfig
from lavida_r1.world.font import GLYPH_H
from lavida_r1.world.palette import OBJECT_COLOURS
from lavida_r1.world.perception_tasks import (
    CAPTION_KINDS,
    NAME_PROMPT,
    NAME_SIZES,
    READ_SCALES,
    SCENE_NAME_KINDS,
    SPOT_SIZES,
    attribute_scene,
    make_name,
)
from lavida_r1.world.raster import SHAPES, to_image
from lavida_r1.world.scenes import render


def test_object_captions_list_every_object_with_its_box_in_reading_order():
    for index in range(40):
        sample = generate("caption", "train", index, kind="objects")
        caption = sft_target(sample)
        boxes = [
            [int(v) for v in box]
            for box in re.findall(r"<LOC_BEGIN><LOC_(\d+)><LOC_(\d+)><LOC_(\d+)><LOC_(\d+)><LOC_END>", caption)
        ]
        assert len(boxes) == int(caption.split(" ")[0]) >= 1
        assert [(y1, x1) for x1, y1, _, _ in boxes] == sorted((y1, x1) for x1, y1, _, _ in boxes)
        pixels = np.asarray(sample.image)
        for box in boxes:  # each box holds coloured (non-white) pixels
            x1, y1, x2, y2 = (round(v) for v in bins_to_box(box, sample.image.size))
            assert x2 > x1 and y2 > y1 and (pixels[y1:y2, x1:x2] != 255).any()


def test_name_captions_list_every_object_by_colour_and_shape_in_reading_order():
    for index in range(20):
        sample = generate("caption", "train", index, kind="names")
        count, listed = re.fullmatch(r"(\d+) shapes?: (.+)\.", sample.reasoning).groups()
        names = listed.split(", ")
        assert len(names) == int(count) >= 1 and all(len(name.split(" ")) == 2 for name in names)
        boxed = generate("caption", "train", index, kind="objects")  # the same scene, drawn from the same draws
        assert boxed.image.tobytes() == sample.image.tobytes()
        assert re.sub(r" <LOC_BEGIN>.*?<LOC_END>", "", boxed.reasoning) == sample.reasoning


LOC_BOX = r"<LOC_BEGIN><LOC_(\d+)><LOC_(\d+)><LOC_(\d+)><LOC_(\d+)><LOC_END>"


def glyph_box(bins: tuple[str, ...], size: tuple[int, int]) -> list[int]:
    return [round(v) for v in bins_to_box([int(b) for b in bins], size)]


def test_digit_box_captions_box_each_digit_of_the_digit_caption_from_left_to_right():
    for index in range(30):
        sample = generate("caption", "train", index, kind="digit_boxes")
        plain = generate("caption", "train", index, kind="digits")  # the same row, drawn from the same draws
        assert re.sub(LOC_BOX + " ", "", sample.reasoning) == plain.reasoning
        assert sample.image.tobytes() == plain.image.tobytes()
        boxes = [glyph_box(bins, sample.image.size) for bins in re.findall(LOC_BOX, sample.reasoning)]
        glyphs = sample.meta["drawn_glyphs"]
        assert len(boxes) == len(glyphs) == len(re.findall(r"> \d", sample.reasoning)) >= 2
        assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
        for box, glyph in zip(boxes, glyphs):  # each box is its glyph's cell, to the LOC grid's rounding
            assert np.allclose(box, [glyph.x, glyph.y, glyph.x + glyph.width, glyph.y + glyph.height], atol=1)


def test_read_digit_at_answers_the_digit_inside_the_box_it_asks_about():
    for index in range(30):
        sample = generate("read", "train", index, kind="digit_at")
        glyphs = sample.meta["drawn_glyphs"]
        (bins,) = re.findall(LOC_BOX, sample.question)
        box = glyph_box(bins, sample.image.size)
        (inside,) = [g for g in glyphs if abs(g.x - box[0]) <= 1 and abs(g.y - box[1]) <= 1]
        assert 3 <= len(glyphs) <= 5 and sample.answer == sft_target(sample) == inside.char


def test_the_default_caption_mix_never_draws_names_or_digit_boxes():
    assert CAPTION_KINDS["names"] == CAPTION_KINDS["digit_boxes"] == 0
    assert {generate("caption", "train", i).meta["kind"] for i in range(60)} == {"objects", "digits", "chart", "panel"}


def test_every_caption_kind_is_deterministic_and_never_an_answer():
    for kind in CAPTION_KINDS:
        a, b = (generate("caption", "train", 3, kind=kind) for _ in range(2))
        assert a.reasoning == b.reasoning and a.image.tobytes() == b.image.tobytes()
        assert "<answer>" not in sft_target(a) and a.meta["kind"] == kind
    chart = generate("caption", "train", 5, kind="chart")
    assert re.fullmatch(r"(Bar|Line) chart: ([A-Z]{3} \d+, )+[A-Z]{3} \d+\.", chart.reasoning)
    panel = generate("caption", "train", 5, kind="panel")
    assert panel.reasoning.endswith(tuple("0123456789abcdefghijklmnopqrstuvwxyz")) and " A. " in panel.reasoning


def test_locate_names_a_unique_object_and_answers_its_box():
    for index in range(20):
        sample = generate("locate", "train", index)
        name = sample.question.removeprefix("the ")
        assert sample.prompt.startswith(f"Please locate the {name} ")
        bins = box_to_bins(list(sample.box), sample.image.size)
        assert "".join(f"<LOC_{b}>" for b in bins) in sft_target(sample)


@pytest.mark.parametrize("kind", [None, *SPOT_SIZES])
def test_spot_draws_one_object_of_its_size_band_and_answers_its_box(kind):
    low, high = SPOT_SIZES[kind or "large"]
    for index in range(12):
        sample = generate("spot", "train", index, **({"kind": kind} if kind else {}))
        assert sample.meta["kind"] == (kind or "large")
        x1, y1, x2, y2 = sample.box
        assert low <= max(x2 - x1, y2 - y1) <= high
        pixels = np.asarray(sample.image).astype(int)
        inked = np.argwhere((pixels != pixels[0, 0]).any(axis=-1))  # everything not background
        assert inked.size and inked[:, 1].min() >= x1 and inked[:, 1].max() < x2
        assert inked[:, 0].min() >= y1 and inked[:, 0].max() < y2
        assert sample.prompt.startswith(f"Please locate {sample.question} ")
        bins = box_to_bins(list(sample.box), sample.image.size)
        assert "".join(f"<LOC_{b}>" for b in bins) in sft_target(sample)


def test_spot_refuses_an_unknown_size_band():
    with pytest.raises(ValueError, match="unknown spot kind 'tiny'"):
        generate("spot", "train", 0, kind="tiny")


@pytest.mark.parametrize("kind", [None, *NAME_SIZES])
def test_name_draws_one_object_of_its_size_band_and_answers_its_colour_and_shape(kind):
    low, high = NAME_SIZES[kind or "large"]
    for index in range(12):
        sample = generate("name", "train", index, **({"kind": kind} if kind else {}))
        colour, shape = sample.answer.split(" ")
        assert sample.meta["kind"] == (kind or "large") and sft_target(sample) == sample.answer
        assert shape in SHAPES and sample.prompt == NAME_PROMPT
        pixels = np.asarray(sample.image).astype(int)
        inked = np.argwhere((pixels != pixels[0, 0]).any(axis=-1))
        assert {tuple(pixels[y, x]) for y, x in inked} == {OBJECT_COLOURS[colour]}
        extent = max(inked[:, 0].max() - inked[:, 0].min(), inked[:, 1].max() - inked[:, 1].min()) + 1
        assert extent <= high and (extent >= low or shape in ("triangle", "diamond", "pentagon", "hexagon"))


@pytest.mark.parametrize("kind", SCENE_NAME_KINDS)
def test_name_scene_kinds_ask_one_attribute_of_the_object_the_other_names(kind):
    for index in range(20):
        sample = make_name(random.Random(index), WorldConfig(), "id", kind)
        objs, height, _, _ = attribute_scene(random.Random(index), WorldConfig(), kind)  # the same draws
        assert sample.image.tobytes() == to_image(render(objs, WorldConfig().understand_size, height)).tobytes()
        attribute, (fewest, most) = SCENE_NAME_KINDS[kind]
        assert fewest <= len(objs) <= most
        assert len({o.shape for o in objs}) == len({o.colour for o in objs}) == len(objs)
        if attribute == "colour":
            shape = re.fullmatch(r"What colour is the (\w+)\?", sample.prompt).group(1)
            assert [o.colour for o in objs if o.shape == shape] == [sample.answer]
        else:
            colour = re.fullmatch(r"What shape is the (\w+) object\?", sample.prompt).group(1)
            assert [o.shape for o in objs if o.colour == colour] == [sample.answer]
        assert sft_target(sample) == sample.answer and sample.meta["kind"] == kind


def test_every_name_fits_its_canvas_with_the_end_of_turn():
    config = get_preset("tiny")
    tokenizer = load_tokenizer(TRAIN_DIR / "checkpoints" / "lavida-r1-tiny" / "tokenizer.json", config)
    for colour, shape in itertools.product(OBJECT_COLOURS, SHAPES):  # raises where a name does not fit
        text_answer_ids(tokenizer, config, f"{colour} {shape}", DEFAULT_ANSWER_LENGTHS["name"])


def test_name_refuses_an_unknown_size_band():
    with pytest.raises(ValueError, match="unknown name kind 'huge'"):
        generate("name", "train", 0, kind="huge")


@pytest.mark.parametrize("kind", [None, *READ_SCALES])
def test_read_draws_one_text_at_its_glyph_scale_and_answers_it(kind):
    low, high = READ_SCALES[kind or "large"]
    for index in range(12):
        sample = generate("read", "train", index, **({"kind": kind} if kind else {}))
        assert sample.meta["kind"] == (kind or "large") and sft_target(sample) == sample.answer
        words = CATEGORY_WORDS + MONTHS
        assert sample.answer.isdigit() or sample.answer in words or kind == "huge" and sample.answer in "".join(words)
        assert len(sample.answer) == 1 or kind != "huge"
        inked = np.argwhere((np.asarray(sample.image) != 255).any(axis=-1))
        height = inked[:, 0].max() - inked[:, 0].min() + 1  # every glyph has ink on its top and bottom rows
        assert low * GLYPH_H <= height <= high * GLYPH_H


def test_read_refuses_an_unknown_scale():
    with pytest.raises(ValueError, match="unknown read kind 'giant'"):
        generate("read", "train", 0, kind="giant")
