"""Chart QA like ChartQA: bar and line charts with labels and values; numeric and label answers.

meta keys: kind, chart_type ("bar"/"line"), labels, values, type ("human_test" for reasoning questions,
"augmented_test" for direct look-ups), and the kind's operands (a, b, threshold, value).
`prompt` is lmms-eval's ChartQA prompt.
"""

from __future__ import annotations

import random
from typing import Any

from .charts import bar_chart, line_chart
from .config import WorldConfig
from .palette import OBJECT_COLOURS
from .raster import to_image
from .sample import Sample

CATEGORY_WORDS = [
    "OAK",
    "ELM",
    "FIG",
    "ASH",
    "YEW",
    "BAY",
    "CAT",
    "DOG",
    "COW",
    "PIG",
    "HEN",
    "EMU",
    "ANT",
    "BEE",
    "OWL",
    "FOX",
    "RAM",
    "YAK",
]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
HUMAN_KINDS = ("argmax", "argmin", "diff", "sum", "ratio", "count_above", "mean")
AUGMENTED_KINDS = ("value", "label_of_value")
PROMPT_SUFFIX = "\nAnswer the question with a single word."


def format_number(x: float) -> str:
    """Integers without a decimal point; other values rounded to 2 decimals (relaxed accuracy allows 5%)."""
    r = round(x, 2)
    return str(int(r)) if r == int(r) else str(r)


def answer_for(kind: str, labels: list[str], values: list[int], ops: dict[str, Any]) -> str:
    """The answer of a question kind from the chart data alone."""
    val = dict(zip(labels, values))
    if kind == "argmax":
        return labels[values.index(max(values))]
    if kind == "argmin":
        return labels[values.index(min(values))]
    if kind == "diff":
        return format_number(abs(val[ops["a"]] - val[ops["b"]]))
    if kind == "sum":
        return format_number(val[ops["a"]] + val[ops["b"]])
    if kind == "ratio":
        return format_number(val[ops["a"]] / val[ops["b"]])
    if kind == "count_above":
        return str(sum(v > ops["threshold"] for v in values))
    if kind == "mean":
        return format_number(sum(values) / len(values))
    if kind == "value":
        return str(val[ops["a"]])
    if kind == "label_of_value":
        return labels[values.index(ops["value"])]
    raise ValueError(f"unknown chart kind {kind!r}")


def _question(kind: str, line: bool, ops: dict[str, Any]) -> str:
    what = "month" if line else "category"
    return {
        "argmax": f"Which {what} has the highest value?",
        "argmin": f"Which {what} has the lowest value?",
        "diff": f"What is the difference between the values of {ops.get('a')} and {ops.get('b')}?",
        "sum": f"What is the sum of the values of {ops.get('a')} and {ops.get('b')}?",
        "ratio": f"What is the ratio of the value of {ops.get('a')} to the value of {ops.get('b')}?",
        "count_above": f"How many {what}s have a value above {ops.get('threshold')}?",
        "mean": "What is the average of all the values?",
        "value": f"What is the value of {ops.get('a')}?",
        "label_of_value": f"Which {what} has a value of {ops.get('value')}?",
    }[kind]


def _reasoning(kind: str, labels: list[str], values: list[int], ops: dict[str, Any], answer: str) -> str:
    val = dict(zip(labels, values))
    listing = ", ".join(f"{label} {v}" for label, v in zip(labels, values))
    if kind in ("diff", "sum", "ratio"):
        op = {"diff": "-", "sum": "+", "ratio": "/"}[kind]
        a, b = (ops["a"], ops["b"]) if kind != "diff" or val[ops["a"]] >= val[ops["b"]] else (ops["b"], ops["a"])
        return f"{a} is {val[a]} and {b} is {val[b]}; {val[a]} {op} {val[b]} = {answer}."
    if kind == "value":
        return f"The label on {ops['a']} reads {answer}."
    if kind == "count_above":
        return f"The values are {listing}; {answer} of them are above {ops['threshold']}."
    if kind == "mean":
        return f"The values are {listing}; their mean is {answer}."
    return f"The values are {listing}; the answer is {answer}."


def make(
    rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None, split_type: str | None = None
) -> Sample:
    """`split_type` ("human_test"/"augmented_test") picks the question group when `kind` is not given."""
    if kind is None:
        split_type = split_type or rng.choice(["human_test", "augmented_test"])
        kind = rng.choice(HUMAN_KINDS if split_type == "human_test" else AUGMENTED_KINDS)
    chart_type = rng.choice(["bar", "line"])
    n = rng.randint(3, 5) if chart_type == "bar" else rng.randint(4, 6)
    if chart_type == "line":
        start = rng.randint(0, 12 - n)
        labels = MONTHS[start : start + n]
    else:
        labels = rng.sample(CATEGORY_WORDS, n)
    values = rng.sample(range(5, 100), n)  # distinct, so argmax/argmin/label look-ups are unique
    a, b = rng.sample(labels, 2)
    ops: dict[str, Any] = {"a": a, "b": b, "threshold": rng.choice(range(10, 90, 10)), "value": rng.choice(values)}
    ops = {
        k: ops[k]
        for k in {
            "diff": ("a", "b"),
            "sum": ("a", "b"),
            "ratio": ("a", "b"),
            "value": ("a",),
            "count_above": ("threshold",),
            "label_of_value": ("value",),
        }.get(kind, ())
    }
    answer = answer_for(kind, labels, values, ops)
    colour = OBJECT_COLOURS[rng.choice(["blue", "green", "red", "purple", "orange", "cyan"])]
    draw = line_chart if chart_type == "line" else bar_chart
    size = cfg.understand_size
    question = _question(kind, chart_type == "line", ops)
    meta = {
        "kind": kind,
        "chart_type": chart_type,
        "labels": labels,
        "values": values,
        "type": "human_test" if kind in HUMAN_KINDS else "augmented_test",
        **ops,
    }
    return Sample(
        id=sample_id,
        family="chart",
        image=to_image(draw(labels, values, size, size, colour)),
        question=question,
        prompt=question + PROMPT_SUFFIX,
        answer=answer,
        reasoning=_reasoning(kind, labels, values, ops, answer),
        target_answer=answer,
        meta=meta,
    )
