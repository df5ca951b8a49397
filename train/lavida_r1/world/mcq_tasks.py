"""Multi-choice like MMMU-Pro: 2 to 10 options; "standard" (options in text) or "vision" (question and
options rendered into the image under the scene).

The two settings of one seed share the question, options and answer, as upstream's rows do.
meta keys: kind, setting, subject, topic_difficulty, img_type, drawn_objects (see `Sample`). `answer` is the
letter.
"""

from __future__ import annotations

import random

import numpy as np

from .config import WorldConfig
from .font import ADVANCE, LINE_H, draw_text, wrap
from .palette import INK, OBJECT_COLOURS, WHITE
from .raster import SHAPES, new_canvas, to_image
from .sample import Sample
from .scenes import Obj, digit_row, digit_scale, place, render

LETTERS = "ABCDEFGHIJ"
OPTION_COUNTS: dict[int, int] = {10: 60, 9: 10, 8: 4, 7: 4, 6: 4, 5: 5, 4: 6, 3: 4, 2: 3}  # count -> weight
KIND_MAX_OPTIONS: dict[str, int] = {
    "colour_of": 10,
    "shape_of_colour": 6,
    "count_shapes": 10,
    "count_colour": 10,
    "digit_sum": 10,
}
SUBJECTS = {
    "colour_of": "Art",
    "shape_of_colour": "Design",
    "count_shapes": "Math",
    "count_colour": "Math",
    "digit_sum": "Math",
}
STANDARD_INSTRUCTION = "Answer with the option letter from the given choices directly."
VISION_INSTRUCTION = (
    "Answer with the option letter from the given choices directly. The last line of your "
    "response should be of the following format: 'Answer: $LETTER' (without quotes) where "
    "LETTER is one of options."
)


def _numeric_options(rng: random.Random, answer: int, n: int) -> list[str]:
    """The answer and n-1 nearby distractors, shuffled so every letter is equally likely to be right."""
    options = [answer] + rng.sample([v for v in range(answer + n + 2) if v != answer], n - 1)
    rng.shuffle(options)
    return [str(v) for v in options]


def _text_options(rng: random.Random, answer: str, pool: list[str], n: int) -> list[str]:
    options = [answer] + rng.sample([p for p in pool if p != answer], n - 1)
    rng.shuffle(options)
    return options


def _scene(rng: random.Random, size: int, count: int, distinct_shapes: bool) -> list:
    shapes = rng.sample(SHAPES, count) if distinct_shapes else [rng.choice(SHAPES) for _ in range(count)]
    colours = rng.sample(list(OBJECT_COLOURS), count)
    return place(rng, [(s, c, rng.randint(14, 22)) for s, c in zip(shapes, colours)], size, size)


def _task(
    rng: random.Random, kind: str, n: int, size: int
) -> tuple[np.ndarray, str, list[str], str, str, list[Obj] | None]:
    """Scene canvas, question, options, correct option text, reasoning, the objects drawn (None: digits)."""
    if kind == "colour_of":
        objs = _scene(rng, size, rng.randint(2, 5), distinct_shapes=True)
        target = rng.choice(objs)
        options = _text_options(rng, target.colour, list(OBJECT_COLOURS), n)
        return (
            render(objs, size, size),
            f"What colour is the {target.shape} in <image 1>?",
            options,
            target.colour,
            f"The {target.shape} is filled with {target.colour}.",
            objs,
        )
    if kind == "shape_of_colour":
        objs = _scene(rng, size, rng.randint(2, 5), distinct_shapes=True)
        target = rng.choice(objs)
        options = _text_options(rng, target.shape, list(SHAPES), n)
        return (
            render(objs, size, size),
            f"Which shape in <image 1> is {target.colour}?",
            options,
            target.shape,
            f"The {target.colour} object is a {target.shape}.",
            objs,
        )
    if kind in ("count_shapes", "count_colour"):
        colour = rng.choice(list(OBJECT_COLOURS))
        k = rng.randint(1, 4) if kind == "count_colour" else 0
        others = [c for c in OBJECT_COLOURS if c != colour]
        colours = [colour] * k + [rng.choice(others) for _ in range(rng.randint(2 - min(k, 1), 8 - k))]
        objs = place(rng, [(rng.choice(SHAPES), c, rng.randint(13, 18)) for c in colours], size, size)
        if kind == "count_shapes":
            answer, question = len(objs), "How many shapes are there in <image 1>?"
            reasoning = f"There are {answer} shapes in the image."
        else:
            answer, question = k, f"How many {colour} shapes are there in <image 1>?"
            reasoning = f"Of the {len(objs)} shapes, {k} are {colour}."
        return render(objs, size, size), question, _numeric_options(rng, answer, n), str(answer), reasoning, objs
    digits = [rng.randint(0, 9) for _ in range(rng.randint(2, 4))]
    total = sum(digits)
    return (
        digit_row(rng, digits, size, size, digit_scale(len(digits), size)),
        "What is the sum of the digits in <image 1>?",
        _numeric_options(rng, total, n),
        str(total),
        f"The digits are {', '.join(map(str, digits))}; they add up to {total}.",
        None,
    )


def vision_panel(scene: np.ndarray, question: str, options: list[str]) -> np.ndarray:
    """The scene with the question and lettered options printed below it (one column up to 6 options,
    two columns above that)."""
    width = scene.shape[1]
    q_lines = wrap(question.replace("<image 1>", "the image"), (width - 4) // ADVANCE)
    cols = 1 if len(options) <= 6 else 2
    rows = -(-len(options) // cols)
    col_w = width // cols
    height = scene.shape[0] + 4 + LINE_H * (len(q_lines) + rows) + 4
    canvas = new_canvas(width, height, WHITE)
    canvas[: scene.shape[0]] = scene
    canvas[scene.shape[0], :] = INK
    y = scene.shape[0] + 4
    for line in q_lines:
        draw_text(canvas, 2, y, line, INK)
        y += LINE_H
    for i, opt in enumerate(options):
        text = f"{LETTERS[i]}.{opt}"[: (col_w - 2) // ADVANCE]
        draw_text(canvas, 2 + (i // rows) * col_w, y + (i % rows) * LINE_H, text, INK)
    return canvas


def make(
    rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None, setting: str = "standard"
) -> Sample:
    if setting not in ("standard", "vision"):
        raise ValueError(f"unknown MMMU-Pro setting {setting!r}")
    n = rng.choices(list(OPTION_COUNTS), weights=list(OPTION_COUNTS.values()))[0]
    kind = kind or rng.choice([k for k, m in KIND_MAX_OPTIONS.items() if m >= n])
    n = min(n, KIND_MAX_OPTIONS[kind])
    scene, question, options, correct, reasoning, objs = _task(rng, kind, n, cfg.understand_size)
    letter = LETTERS[options.index(correct)]
    block = "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))
    if setting == "standard":
        image, prompt = scene, f"{question}\n{block}\n{STANDARD_INSTRUCTION}"
    else:
        image, prompt = vision_panel(scene, question, options), VISION_INSTRUCTION
    meta = {
        "kind": kind,
        "setting": setting,
        "subject": SUBJECTS[kind],
        "img_type": ["Diagrams"],
        "topic_difficulty": "Easy" if n <= 4 else ("Medium" if n <= 8 else "Hard"),
        "drawn_objects": objs,  # the vision setting's panel keeps the scene at its top left
    }
    return Sample(
        id=sample_id,
        family="mcq",
        image=to_image(image),
        question=question,
        prompt=prompt,
        answer=letter,
        reasoning=f"{reasoning} The matching option is {letter}.",
        target_answer=letter,
        options=options,
        meta=meta,
    )
