"""Reasoning grounding like Lisa: an implicit description that picks exactly one object → its box.

Images are `understand_size` wide and either square or 3/4 as tall, so the padded-square LOC formula is
exercised. The box is the tight box of the object's pixels (x2/y2 exclusive), in image pixels.
meta keys: kind, description, objects (list of {shape, colour, box, area}), drawn_objects (see `Sample`).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..model.chat import grounding_request
from .config import WorldConfig
from .palette import OBJECT_COLOURS
from .raster import CORNERS, SHAPES, to_image
from .sample import Sample
from .scenes import Obj, place, render

AREA_MARGIN = 1.3  # "largest"/"smallest" must win by this factor, so the answer is visible, not a pixel count


def _unique_extreme(objs: list[Obj], key: Callable[[Obj], float], largest: bool, margin: float = 1) -> Obj | None:
    """The object with the extreme key, if it beats the runner-up by at least `margin`."""
    ranked = sorted(objs, key=key, reverse=largest)
    if len(ranked) == 1:
        return ranked[0]
    return ranked[0] if abs(key(ranked[0]) - key(ranked[1])) >= margin else None


def _by_area(objs: list[Obj], largest: bool) -> Obj | None:
    if not objs:
        return None
    ranked = sorted(objs, key=lambda o: o.area, reverse=largest)
    if len(ranked) == 1:
        return ranked[0]
    big, small = (ranked[0].area, ranked[1].area) if largest else (ranked[1].area, ranked[0].area)
    return ranked[0] if big >= AREA_MARGIN * small else None


def _resolve(kind: str, objs: list[Obj], colour: str) -> tuple[Obj | None, str, str]:
    """Target (or None when the description is ambiguous), description, reasoning."""
    corners = ", ".join(f"{o.shape} {CORNERS[o.shape]}" for o in objs)
    if kind == "most_corners":
        t = _unique_extreme(objs, lambda o: CORNERS[o.shape], largest=True)
        return t, "the shape with the most corners", f"Corners: {corners}. The {t and t.name} has the most."
    if kind == "fewest_corners":
        t = _unique_extreme(objs, lambda o: CORNERS[o.shape], largest=False)
        return t, "the shape with the fewest corners", f"Corners: {corners}. The {t and t.name} has the fewest."
    if kind == "largest_of_colour":
        same = [o for o in objs if o.colour == colour]
        t = _by_area(same, largest=True) if len(same) >= 2 else None
        return (
            t,
            f"the largest {colour} object",
            f"There are {len(same)} {colour} objects; the {t and t.shape} is the biggest of them.",
        )
    if kind == "smallest":
        t = _by_area(objs, largest=False)
        return t, "the smallest object in the picture", f"Comparing sizes, the {t and t.name} is the smallest."
    if kind == "largest":
        t = _by_area(objs, largest=True)
        return t, "the biggest shape", f"Comparing sizes, the {t and t.name} is the largest."
    if kind == "odd_colour":
        odd = [o for o in objs if sum(p.colour == o.colour for p in objs) == 1]
        t = odd[0] if len(odd) == 1 and len(objs) >= 3 else None
        return (
            t,
            "the object whose colour differs from all the others",
            f"All objects but one are {colour}; the {t and t.name} stands out.",
        )
    if kind == "no_corners":
        round_ = [o for o in objs if CORNERS[o.shape] == 0]
        t = round_[0] if len(round_) == 1 else None
        return t, "the only shape without any corners", f"Only the {t and t.name} is round, with no corners."
    if kind == "highest":
        t = _unique_extreme(objs, lambda o: -o.box[1], largest=True, margin=4)
        return t, "the object closest to the top edge", f"The {t and t.name} starts highest in the image."
    raise ValueError(f"unknown grounding kind {kind!r}")


KINDS = (
    "most_corners",
    "fewest_corners",
    "largest_of_colour",
    "smallest",
    "largest",
    "odd_colour",
    "no_corners",
    "highest",
)


def _specs(rng: random.Random, kind: str, colour: str, max_count: int) -> list[tuple[str, str, int]]:
    n = rng.randint(3, max_count)
    names = list(OBJECT_COLOURS)
    if kind == "odd_colour":
        colours = [colour] * (n - 1) + [rng.choice([c for c in names if c != colour])]
    elif kind == "largest_of_colour":
        colours = [colour] * rng.randint(2, 3) + [rng.choice(names) for _ in range(n - 2)]
    else:
        colours = [rng.choice(names) for _ in range(n)]
    return [(rng.choice(SHAPES), c, rng.randint(10, 30)) for c in colours]


def make(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    kind = kind or rng.choice(KINDS)
    width = cfg.understand_size
    height = rng.choice([width, width * 3 // 4])
    for _ in range(200):  # redraw until the description picks exactly one object
        colour = rng.choice(list(OBJECT_COLOURS))
        objs = place(rng, _specs(rng, kind, colour, 6 if height == width else 5), width, height, gap=4)
        target, description, reasoning = _resolve(kind, objs, colour)
        if target is not None:
            break
    else:
        raise RuntimeError(f"could not build an unambiguous {kind} scene")
    box = target.box
    meta = {
        "kind": kind,
        "description": description,
        "objects": [{"shape": o.shape, "colour": o.colour, "box": list(o.box), "area": o.area} for o in objs],
        "drawn_objects": objs,
    }
    return Sample(
        id=sample_id,
        family="grounding",
        image=to_image(render(objs, width, height)),
        question=description,
        prompt=grounding_request(description),
        answer=str(list(box)),
        reasoning=reasoning,
        box=box,
        meta=meta,
    )
