"""Visual math like MathVista: multi_choice and free_form; integer, float (precision 1 or 2), text, list.

meta keys: kind, question_type, answer_type, precision (float or None), unit (str or None),
choices (list or None), query (the official hint-first prompt), category, task, context, grade, skills,
drawn_objects (see `Sample`).
`prompt` is lmms-eval's `format-prompt` layout (what LaViDa-O ran).
"""

from __future__ import annotations

import random
from typing import Any

from .charts import bar_chart
from .config import WorldConfig
from .palette import OBJECT_COLOURS
from .raster import SHAPES, to_image
from .sample import Sample
from .scenes import Obj, digit_row, digit_scale, place, render

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

KINDS: dict[str, int] = {  # kind -> weight
    "count": 14,
    "count_mc": 14,
    "colour_mc": 14,
    "digit_sum": 12,
    "tallest": 10,
    "ratio1": 12,
    "ratio2": 12,
    "digit_list": 8,
}

QUERY_HINTS = {
    "multi_choice": "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.",
    "integer": "Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.",
    "float1": "Hint: Please answer the question requiring a floating-point number with one decimal place and provide the final value, e.g., 1.2, 1.3, 1.4, at the end.",
    "float2": "Hint: Please answer the question requiring a floating-point number with two decimal places and provide the final value, e.g., 1.23, 1.34, 1.45, at the end.",
    "list": "Hint: Please answer the question requiring a Python list as an answer and provide the final list, e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.",
}
FORMAT_HINTS = {
    "multi_choice": "Answer with the option's letter from the given choices directly.",
    "integer": "Answer the question using a single integer number.",
    "float1": "Answer the question using a single floating-point number with one decimal place.",
    "float2": "Answer the question using a single floating-point number with two decimal places.",
    "list": "Answer the question using a Python list.",
}


def _hint_key(qtype: str, atype: str, precision: float | None) -> str:
    if qtype == "multi_choice":
        return "multi_choice"
    return f"float{int(precision)}" if atype == "float" and precision else atype


def build_query(question: str, unit: str | None, choices: list[str] | None, hint_key: str) -> str:
    text = f"{QUERY_HINTS[hint_key]}\nQuestion: {question}"
    if unit:
        text += f" (Unit: {unit})"
    if choices:
        text += "\nChoices:\n" + "\n".join(f"({LETTERS[i]}) {c}" for i, c in enumerate(choices))
    return text


def build_format_prompt(question: str, unit: str | None, choices: list[str] | None, hint_key: str) -> str:
    parts = [question + (f" (Unit: {unit})" if unit else "")]
    if choices:
        parts.append("\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(choices)))
    parts.append(FORMAT_HINTS[hint_key])
    return "\n".join(p for p in parts if p).strip()


def _shape_scene(rng: random.Random, size: int, colours: list[str]) -> list:
    specs = [(rng.choice(SHAPES), c, rng.randint(13, 18)) for c in colours]
    return place(rng, specs, size, size)


def _number_choices(rng: random.Random, answer: int) -> list[str]:
    low = max(0, answer - rng.randint(0, 3))
    return [str(v) for v in range(low, low + 4)]


def make(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    kind = kind or rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    size = cfg.understand_size
    drawn: list[Obj] | None = None  # the objects of a shape scene (counting, colours)
    unit: str | None = None
    choices: list[str] | None = None
    precision: float | None = None
    atype, qtype = "integer", "free_form"
    skills, task, category = ["arithmetic reasoning"], "math word problem", "math-targeted-vqa"

    if kind in ("count", "count_mc"):
        shape = rng.choice(SHAPES)
        n = rng.randint(1, 5)
        others = [s for s in SHAPES if s != shape]
        total = n + rng.randint(1, 4)
        names = list(OBJECT_COLOURS)
        specs = [(shape if i < n else rng.choice(others), rng.choice(names), rng.randint(14, 20)) for i in range(total)]
        rng.shuffle(specs)
        drawn = place(rng, specs, size, size)
        canvas = render(drawn, size, size)
        question = f"How many {shape}s are there in the image?"
        answer = str(n)
        reasoning = f"Counting the {shape}s among the {total} shapes gives {n}."
        skills, task, category = (
            ["numeric commonsense", "arithmetic reasoning"],
            "figure question answering",
            "general-vqa",
        )
        if kind == "count_mc":
            qtype, atype = "multi_choice", "text"
            choices = _number_choices(rng, n)
    elif kind == "colour_mc":
        palette = rng.sample(list(OBJECT_COLOURS), 4)
        top = palette[0]
        counts = {top: rng.randint(3, 4)}
        for c in palette[1:]:
            counts[c] = rng.randint(0, counts[top] - 1)
        colours = [c for c, k in counts.items() for _ in range(k)]
        rng.shuffle(colours)
        drawn = _shape_scene(rng, size, colours)
        canvas = render(drawn, size, size)
        question = "Which colour appears on the most shapes?"
        qtype, atype = "multi_choice", "text"
        choices = palette[:]
        rng.shuffle(choices)
        answer = top
        shown = ", ".join(f"{c} {counts[c]}" for c in sorted(counts, key=lambda c: -counts[c]) if counts[c])
        reasoning = f"Counting shapes by colour: {shown}. The most frequent colour is {top}."
        skills, task, category = ["visual recognition"], "figure question answering", "general-vqa"
    elif kind in ("digit_sum", "digit_list"):
        digits = [rng.randint(0, 9) for _ in range(rng.randint(3, 5))]
        canvas = digit_row(rng, digits, size, size, digit_scale(len(digits), size))
        shown = ", ".join(map(str, digits))
        if kind == "digit_sum":
            question = "What is the sum of the digits shown in the image?"
            answer = str(sum(digits))
            reasoning = f"The digits are {shown}; their sum is {answer}."
        else:
            question = "List the digits shown in the image from left to right."
            atype = "list"
            answer = str(digits)  # Python list text, e.g. "[3, 1, 4]"
            reasoning = f"Reading from left to right: {shown}."
        skills, task = ["arithmetic reasoning", "visual recognition"], "textbook question answering"
    else:  # tallest, ratio1, ratio2: two labelled bars
        a, b = rng.sample(range(10, 100), 2)
        colour = OBJECT_COLOURS[rng.choice(["blue", "green", "red", "purple", "orange"])]
        canvas = bar_chart(["A", "B"], [a, b], size, size, colour)
        skills, task = ["statistical reasoning"], "figure question answering"
        if kind == "tallest":
            unit = "cm"
            question = "How tall is the taller bar?"
            answer = str(max(a, b))
            reasoning = f"Bar A is labelled {a} and bar B {b}; the taller one is {answer}."
        else:
            precision = 1.0 if kind == "ratio1" else 2.0
            atype = "float"
            ratio = a / b
            answer = str(round(ratio, int(precision)))
            question = "What is the ratio of the value of bar A to the value of bar B?"
            reasoning = f"Bar A is {a} and bar B is {b}; {a} / {b} = {ratio:.4f}, which rounds to {answer}."

    hint = _hint_key(qtype, atype, precision)
    target = LETTERS[choices.index(answer)] if choices else answer
    if choices:
        reasoning += f" That is option {target}."
    meta: dict[str, Any] = {
        "kind": kind,
        "question_type": qtype,
        "answer_type": atype,
        "precision": precision,
        "unit": unit,
        "choices": choices,
        "query": build_query(question, unit, choices, hint),
        "category": category,
        "task": task,
        "context": "synthetic scene",
        "grade": "elementary school",
        "skills": skills,
        "drawn_objects": drawn,
    }
    return Sample(
        id=sample_id,
        family="math",
        image=to_image(canvas),
        question=question,
        prompt=build_format_prompt(question, unit, choices, hint),
        answer=answer,
        reasoning=reasoning,
        target_answer=target,
        options=choices,
        meta=meta,
    )
