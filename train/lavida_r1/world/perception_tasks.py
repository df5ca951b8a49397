"""Dense perception tasks (training only, never a benchmark), in the spirit of LaViDa-O's grounded captions.

The training families, on images like the benchmark families' (spot's and name's lone objects are larger):
- `caption`: read the whole image out. Shape scenes list every object as colour, shape and its LOC box in
  reading order; digit rows every digit; charts every label with its value; MMMU-Pro vision panels their
  question and lettered options. About 10-80 informative tokens per image, against 1-4 in a QA answer.
  `names` (only when asked for, `caption:names`) lists a shape scene's objects by colour and shape alone, with
  their count: what the colour, shape and counting questions ask, without the boxes. `digit_boxes` (also only
  when asked for) reads a digit row with each digit's LOC box before the digit: find the next item, then name
  what is there, the route grounding takes.
- `locate`: the box of one object named by colour and shape (unique in its scene), in the grounding layout:
  the single-object step before Lisa-style implicit descriptions.
- `spot`: the same request for the only object of the image, drawn larger than in the QA scenes; its kinds
  are size bands (`large` 40-60 px, the default; `medium`; `small`), the steps of a curriculum by object size.
  Small objects in clutter stay unread by a tower trained from scratch while one large object is located
  within a few hundred steps (docs/sft/perception-run.md).
- `read`: the same curriculum for glyphs: one number (0-99) or one chart word alone on the image, read out; its
  kinds are glyph scales (`huge` 8-10x the 5x7 font, one character; `large` 4-5x, the default; `medium` 2-3x;
  `small` 1x, the size of chart labels and values), the step from objects to the digits every QA family needs.
  Its kind `digit_at` asks for the digit inside a given LOC box of a digit row at the QA families' scale: reading
  by place, the lookup `digit_boxes` captions need.
- `name`: the colour and shape of the only object of the image ("pink triangle"), in `spot`'s size bands: the
  same curriculum for what the colour and shape questions ask, with nothing else in view to confuse. Its kind
  `colour_of` is the next step: the colour alone ("pink") of the object of a named shape among 2-5 objects of
  distinct shapes, the scenes of multiple choice's `colour_of`, answered without options; `shape_of` asks the
  shape of the object of a named colour in the same scenes.
The target text of `caption`, `read` and `name` is `reasoning`, with no `<answer>` (see `sample.sft_target`).
meta keys: kind; drawn_objects (see `Sample`) for every family but `read`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from ..model.chat import grounding_request
from . import mcq_tasks
from .chart_tasks import CATEGORY_WORDS, MONTHS
from .charts import bar_chart, line_chart
from .config import WorldConfig
from .font import GLYPH_H, draw_text, recording_glyphs, text_width
from .palette import INK, OBJECT_COLOURS, WHITE
from .raster import SHAPES, new_canvas, to_image
from .sample import Box, Sample, loc_tokens
from .scenes import Obj, digit_row, digit_scale, place, render

# kind -> weight in the family's default mix; `names` (weight 0) is drawn only when asked for by kind, so adding it
# left every earlier caption sample as it was.
CAPTION_KINDS: dict[str, int] = {"objects": 4, "digits": 1, "chart": 3, "panel": 2, "names": 0, "digit_boxes": 0}
PROMPTS = {
    "objects": "List every object in the image with its colour, shape and box.",
    "names": "List every object in the image with its colour and shape.",
    "digits": "Read every digit in the image from left to right.",
    "digit_boxes": "Read every digit in the image from left to right, each with its box.",
    "chart": "Read every label of the chart with its value.",
    "panel": "Read all the text under the picture.",
}
MAX_OBJECTS = 7
SPOT_SIZES: dict[str, tuple[int, int]] = {"large": (40, 60), "medium": (26, 40), "small": (16, 26)}  # px; QA: 10-30
# `huge` draws one character (a glyph over several pooled tokens, the scale at which `spot` starts); the others a
# number or a word.
READ_SCALES: dict[str, tuple[int, int]] = {
    "huge": (8, 10),
    "large": (4, 5),
    "medium": (2, 3),
    "small": (1, 1),
}  # QA text: 1-3
READ_PROMPT = "What is written in the image?"
READ_AT_KIND = "digit_at"
READ_KINDS = (*READ_SCALES, READ_AT_KIND)
NAME_PROMPT = "Name the object in the image by its colour and shape."
# `name` also goes below spot's bands, down to the smallest objects the QA and grounding scenes draw.
NAME_SIZES: dict[str, tuple[int, int]] = {**SPOT_SIZES, "tiny": (10, 16)}
# kind -> (attribute asked, object count range); the `_few` kinds are the step from a lone object to a scene.
SCENE_NAME_KINDS: dict[str, tuple[str, tuple[int, int]]] = {
    "colour_of": ("colour", (2, 5)),
    "shape_of": ("shape", (2, 5)),
    "colour_of_few": ("colour", (1, 2)),
    "shape_of_few": ("shape", (1, 2)),
}
NAME_KINDS = (*NAME_SIZES, *SCENE_NAME_KINDS)


def _scene(rng: random.Random, cfg: WorldConfig, count: int) -> tuple[list[Obj], int, int]:
    """Objects at the sizes the QA families draw (13-22 px) or grounding's wider range (10-30 px)."""
    width = cfg.understand_size
    height = rng.choice([width, width * 3 // 4])
    low, high = rng.choice([(13, 22), (10, 30)])
    specs = [(rng.choice(SHAPES), rng.choice(list(OBJECT_COLOURS)), rng.randint(low, high)) for _ in range(count)]
    return place(rng, specs, width, height, gap=3), width, height


def _digit_row(rng: random.Random, cfg: WorldConfig, count: int) -> tuple[list[int], np.ndarray, list[Box]]:
    """A digit row as the QA families draw it (`scenes.digit_row`), with each digit's glyph box."""
    digits = [rng.randint(0, 9) for _ in range(count)]
    size = cfg.understand_size
    with recording_glyphs() as glyphs:
        canvas = digit_row(rng, digits, size, size, digit_scale(count, size))
    return digits, canvas, [(g.x, g.y, g.x + g.width, g.y + g.height) for g in glyphs]


def reading_order(objs: list[Obj]) -> list[Obj]:
    """Top to bottom by the box's top edge, then left to right."""
    return sorted(objs, key=lambda o: (o.box[1], o.box[0]))


def _scene_caption(objs: list[Obj], describe: Callable[[Obj], str]) -> str:
    """The caption `N shapes: a, b, ….`, every object described in reading order."""
    noun = "shape" if len(objs) == 1 else "shapes"
    return f"{len(objs)} {noun}: {', '.join(describe(o) for o in reading_order(objs))}."


def _chart(rng: random.Random, cfg: WorldConfig):
    line = rng.random() < 0.5
    n = rng.randint(4, 6) if line else rng.randint(3, 5)
    if line:
        start = rng.randint(0, 12 - n)
        labels = MONTHS[start : start + n]
    else:
        labels = rng.sample(CATEGORY_WORDS, n)
    values = rng.sample(range(5, 100), n)
    colour = OBJECT_COLOURS[rng.choice(["blue", "green", "red", "purple", "orange", "cyan"])]
    size = cfg.understand_size
    canvas = (line_chart if line else bar_chart)(labels, values, size, size, colour)
    listing = ", ".join(f"{label} {v}" for label, v in zip(labels, values))
    return canvas, f"{'Line' if line else 'Bar'} chart: {listing}."


def _caption(rng: random.Random, cfg: WorldConfig, kind: str):
    """(image, caption, the objects drawn or None) of one caption kind."""
    if kind == "objects":
        objs, width, height = _scene(rng, cfg, rng.randint(1, MAX_OBJECTS))
        return (
            to_image(render(objs, width, height)),
            _scene_caption(objs, lambda o: f"{o.name} {loc_tokens(o.box, width, height)}"),
            objs,
        )
    if kind == "names":
        objs, width, height = _scene(rng, cfg, rng.randint(1, MAX_OBJECTS))
        return to_image(render(objs, width, height)), _scene_caption(objs, lambda o: o.name), objs
    if kind in ("digits", "digit_boxes"):  # the same row from the same draws; `digit_boxes` boxes each digit
        digits, canvas, boxes = _digit_row(rng, cfg, rng.randint(2, 5))
        size = cfg.understand_size
        boxed = kind == "digit_boxes"
        listing = ", ".join(f"{loc_tokens(box, size, size)} {d}" if boxed else str(d) for d, box in zip(digits, boxes))
        return to_image(canvas), f"The digits are {listing}.", None
    if kind == "chart":
        canvas, caption = _chart(rng, cfg)
        return to_image(canvas), caption, None
    if kind == "panel":
        panel = mcq_tasks.make(rng, cfg, "panel", setting="vision")
        options = " ".join(f"{mcq_tasks.LETTERS[i]}. {o}" for i, o in enumerate(panel.options or []))
        caption = f"{panel.question.replace('<image 1>', 'the image')} {options}"
        return panel.image, caption, panel.meta["drawn_objects"]
    raise ValueError(f"unknown caption kind {kind!r}; expected one of {sorted(CAPTION_KINDS)}")


def make_caption(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    kind = kind or rng.choices(list(CAPTION_KINDS), weights=list(CAPTION_KINDS.values()))[0]
    image, caption, objs = _caption(rng, cfg, kind)
    return Sample(
        id=sample_id,
        family="caption",
        image=image,
        question=PROMPTS[kind],
        prompt=PROMPTS[kind],
        answer=caption,
        reasoning=caption,
        meta={"kind": kind, "drawn_objects": objs},
    )


def make_locate(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    """One object named by colour and shape; scenes are redrawn until that name is unique."""
    while True:
        objs, width, height = _scene(rng, cfg, rng.randint(1, 6))
        names = [o.name for o in objs]
        unique = [o for o in objs if names.count(o.name) == 1]
        if unique:
            break
    return _box_request(sample_id, "locate", objs, width, height, rng.choice(unique), kind or "name")


def _lone_object(
    rng: random.Random, cfg: WorldConfig, family: str, kind: str, sizes: dict[str, tuple[int, int]]
) -> tuple[Obj, int, int]:
    """One object of the size band `kind` of `sizes` placed on an empty image."""
    if kind not in sizes:
        raise ValueError(f"unknown {family} kind {kind!r}; expected one of {sorted(sizes)}")
    width = cfg.understand_size
    height = rng.choice([width, width * 3 // 4])
    spec = (rng.choice(SHAPES), rng.choice(list(OBJECT_COLOURS)), rng.randint(*sizes[kind]))
    return place(rng, [spec], width, height, gap=3)[0], width, height


def make_spot(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    """The only object of the image, in the size band `kind` (default large), named by colour and shape."""
    kind = kind or "large"
    obj, width, height = _lone_object(rng, cfg, "spot", kind, SPOT_SIZES)
    return _box_request(sample_id, "spot", [obj], width, height, obj, kind)


def attribute_scene(rng: random.Random, cfg: WorldConfig, kind: str) -> tuple[list[Obj], int, str, str]:
    """Objects of distinct shapes and colours (for `colour_of` and `shape_of` multiple choice's 2-5-object scenes;
    1-2 for the `_few` kinds), a question naming one by its shape (`colour_of*`) or its colour (`shape_of*`), and
    the other attribute."""
    size = cfg.understand_size
    attribute, counts = SCENE_NAME_KINDS[kind]
    count = rng.randint(*counts)
    specs = zip(rng.sample(SHAPES, count), rng.sample(list(OBJECT_COLOURS), count))
    objs = place(rng, [(shape, colour, rng.randint(14, 22)) for shape, colour in specs], size, size)
    target = rng.choice(objs)
    if attribute == "colour":
        return objs, size, f"What colour is the {target.shape}?", target.colour
    return objs, size, f"What shape is the {target.colour} object?", target.shape


def make_name(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    """The colour and shape of the only object of the image, in the size band `kind` of NAME_SIZES (default
    large); for the kinds of SCENE_NAME_KINDS, one attribute of an object of a scene, named by the other."""
    kind = kind or "large"
    if kind not in NAME_KINDS:
        raise ValueError(f"unknown name kind {kind!r}; expected one of {sorted(NAME_KINDS)}")
    if kind in SCENE_NAME_KINDS:
        objs, height, question, answer = attribute_scene(rng, cfg, kind)
    else:
        obj, _, height = _lone_object(rng, cfg, "name", kind, NAME_SIZES)
        objs, question, answer = [obj], NAME_PROMPT, obj.name
    return Sample(
        id=sample_id,
        family="name",
        image=to_image(render(objs, cfg.understand_size, height)),
        question=question,
        prompt=question,
        answer=answer,
        reasoning=answer,
        meta={"kind": kind, "drawn_objects": objs},
    )


def make_read(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    """One number or chart word, alone on the image at a glyph scale of the band `kind` (default large); for
    `digit_at`, the digit inside a given box of a 3-5-digit row."""
    kind = kind or "large"
    if kind == READ_AT_KIND:
        return _read_at(rng, cfg, sample_id)
    if kind not in READ_SCALES:
        raise ValueError(f"unknown read kind {kind!r}; expected one of {sorted(READ_KINDS)}")
    text = str(rng.randint(0, 99)) if rng.random() < 0.7 else rng.choice(CATEGORY_WORDS + MONTHS)
    if kind == "huge":
        text = rng.choice(text)
    scale = rng.randint(*READ_SCALES[kind])
    width = cfg.understand_size
    height = rng.choice([width, width * 3 // 4])
    canvas = new_canvas(width, height, WHITE)
    x = rng.randint(2, width - text_width(text, scale) - 2)
    y = rng.randint(2, height - GLYPH_H * scale - 2)
    draw_text(canvas, x, y, text, INK, scale)
    return Sample(
        id=sample_id,
        family="read",
        image=to_image(canvas),
        question=READ_PROMPT,
        prompt=READ_PROMPT,
        answer=text,
        reasoning=text,
        meta={"kind": kind},
    )


def _read_at(rng: random.Random, cfg: WorldConfig, sample_id: str) -> Sample:
    digits, canvas, boxes = _digit_row(rng, cfg, rng.randint(3, 5))
    i = rng.randrange(len(digits))
    question = f"Which digit is inside {loc_tokens(boxes[i], cfg.understand_size, cfg.understand_size)}?"
    return Sample(
        id=sample_id,
        family="read",
        image=to_image(canvas),
        question=question,
        prompt=question,
        answer=str(digits[i]),
        reasoning=str(digits[i]),
        meta={"kind": READ_AT_KIND},
    )


def _box_request(
    sample_id: str, family: str, objs: list[Obj], width: int, height: int, target: Obj, kind: str
) -> Sample:
    description = f"the {target.name}"
    return Sample(
        id=sample_id,
        family=family,
        image=to_image(render(objs, width, height)),
        question=description,
        prompt=grounding_request(description),
        answer=str(list(target.box)),
        reasoning="",
        box=target.box,
        meta={"kind": kind, "drawn_objects": objs},
    )
