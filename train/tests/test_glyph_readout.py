"""The glyph readout: recording where text is drawn changes no image, each view token's labels are the characters
whose cells it holds the centre of, in reading order, tokens that cannot be read are left out, and training the
readout through the pathway makes the tokens name their glyphs."""

import numpy as np
import pytest
import torch

from lavida_r1.data.glyph_labels import GLYPH_CLASSES, glyph_labels, glyph_slots
from lavida_r1.data.object_labels import IGNORE
from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.image_processing import process_anyres
from lavida_r1.sft.glyph_readout import GlyphReadout
from lavida_r1.sft.init import initialize
from lavida_r1.sft.optimizer import VISION
from lavida_r1.sft.pathway import pathway_images
from lavida_r1.world import generate
from lavida_r1.world.font import Glyph, draw_text, recording_glyphs
from lavida_r1.world.palette import INK, WHITE
from lavida_r1.world.raster import new_canvas

SIZE = 128  # the tiny preset: a 64 px base view (scale 0.5) and 2x2 crops of 64 px at full scale


@pytest.fixture(scope="module")
def config():
    return get_preset("tiny")


def read(labels: torch.Tensor, view: int, token: int) -> str:
    """A token's labels as text: its glyphs, '.' for an empty slot, 'X' for a token left out."""
    return "".join(GLYPH_CLASSES[c - 1] if c > 0 else "." if c == 0 else "X" for c in labels[view, token].tolist())


def drawn(*texts: tuple[int, int, str, int]) -> tuple[np.ndarray, list[Glyph]]:
    canvas = new_canvas(SIZE, SIZE, WHITE)
    with recording_glyphs() as glyphs:
        for x, y, text, scale in texts:
            draw_text(canvas, x, y, text, INK, scale)
    return canvas, glyphs


def test_recording_changes_no_image_and_notes_every_glyph_but_spaces():
    canvas, glyphs = drawn((8, 8, "a b7", 2))
    plain = new_canvas(SIZE, SIZE, WHITE)
    draw_text(plain, 8, 8, "a b7", INK, 2)
    assert np.array_equal(canvas, plain)
    assert glyphs == [Glyph("A", 8, 8, 10, 14), Glyph("B", 32, 8, 10, 14), Glyph("7", 44, 8, 10, 14)]
    with recording_glyphs() as outside:
        pass
    draw_text(plain, 0, 0, "X", INK)
    assert outside == []


def test_nested_recordings_each_note_the_glyphs_drawn_inside_them():
    canvas = new_canvas(SIZE, SIZE, WHITE)
    with recording_glyphs() as outer:
        draw_text(canvas, 0, 0, "1", INK)
        with recording_glyphs() as inner:
            draw_text(canvas, 10, 0, "2", INK)
    assert [g.char for g in outer] == ["1", "2"] and [g.char for g in inner] == ["2"]


def test_each_token_names_the_glyphs_whose_centres_it_holds_in_reading_order(config):
    _, glyphs = drawn((8, 8, "AB7", 2), (70, 80, "HI 5", 1))
    labels = glyph_labels(glyphs, (SIZE, SIZE), config)
    assert labels.shape == (5, 16, glyph_slots(config))
    side = 4
    named = {(v, t): read(labels, v, t) for v, t in (labels[..., 0] != 0).nonzero().tolist()}
    assert named == {
        (0, 0): "AB....",  # base view at half scale: A and B centred in the first token, 7 in the second
        (0, 1): "7.....",
        (0, 2 * side + 2): "XXXXXX",  # the 1x text shrinks to 3.5 px rows there: left out
        (1, 0): "A.....",  # top-left crop, full scale: one glyph per token
        (1, 1): "B.....",
        (1, 2): "7.....",
        (4, side + 0): "HI....",  # bottom-right crop: the 1x text, two glyphs to a token
        (4, side + 1): "5.....",
    }


def test_two_lines_in_one_token_read_line_by_line(config):
    _, glyphs = drawn((66, 2, "12", 1), (66, 11, "34", 1))
    labels = glyph_labels(glyphs, (SIZE, SIZE), config)
    assert read(labels, 2, 0) == "1234.."


def test_a_glyph_cut_by_a_crop_and_a_crowded_token_are_left_out(config):
    _, cut = drawn((59, 20, "W", 2))  # x 59-68: half in each top crop; whole in the base view
    labels = glyph_labels(cut, (SIZE, SIZE), config)
    assert [read(labels, 0, t) for t in range(16) if labels[0, t, 0] != 0] == ["W....."]
    assert all(read(labels, v, t) in ("......", "XXXXXX") for v in (1, 2) for t in range(16))
    assert (labels[1] == IGNORE).any() and (labels[2] == IGNORE).any()
    crowded = [Glyph("8", 66 + 5 * col, 2 + 5 * row, 4, 5) for row in range(3) for col in range(3)]
    assert read(glyph_labels(crowded, (SIZE, SIZE), config), 2, 0) == "XXXXXX"


def test_world_text_is_labelled_with_the_characters_it_shows(config):
    for index in range(6):
        sample = generate("read", "train", index, 0, kind="large")
        labels = glyph_labels(sample.meta["drawn_glyphs"], sample.image.size, config)
        shown = {GLYPH_CLASSES[c - 1] for c in labels[labels > 0].tolist()}
        assert shown and shown <= set(sample.answer.upper()), sample.answer
    _, objects, texts = pathway_images(config, "train", ["chart", "name:shape_of"], 0, 2, glyphs=True)
    chart_views = process_anyres(generate("chart", "train", 0, 0).image, config).pixel_values.shape[0]
    assert (texts[:chart_views] > 0).sum() > 10 and (objects[:chart_views] == IGNORE).all()
    assert (texts[chart_views:] == 0).all() and (objects[chart_views:, :, 0] > 0).any()


def test_training_the_readout_through_the_pathway_makes_tokens_name_their_glyphs(config):
    views, _, labels = pathway_images(config, "train", ["read:huge", "read:large"], 0, 8, glyphs=True)
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(config)
    initialize(model, 0.02)
    readout = GlyphReadout(config)
    before = readout.accuracy(model.encode_views(views), labels)
    params = [p for n, p in model.named_parameters() if n.startswith(VISION)]
    optimizer = torch.optim.AdamW(params + list(readout.parameters()), lr=3e-3)
    losses = []
    for _ in range(100):
        loss = readout.loss(model.encode_views(views), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    after = readout.accuracy(model.encode_views(views), labels)
    assert losses[-1] < 0.2 * losses[0]
    assert before[0] < 0.2 and after[0] > 0.9  # glyphs named right in their slot, on the images it trained on
