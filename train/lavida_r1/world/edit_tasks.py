"""Instruction edits like ImgEdit, all nine types, each with an exactly known target image.

add/remove/replace/adjust (colour or size)/background/action (move) change the scene description and
re-render it; extract keeps one object on white; style maps every pixel (grayscale, invert, sepia);
compose is an object edit followed by a background change.
`reasoning` is the edit plan. meta keys: edit_type, and `style` for style edits.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from .config import WorldConfig
from .edit_scene import (
    EDIT_COLOURS,
    EDIT_SHAPES,
    MIN_CHANGED_PIXELS,
    QUADRANTS,
    EditObj,
    EditScene,
    changed_mask,
    object_mask,
    render_scene,
)
from .palette import BACKGROUNDS, OBJECT_COLOURS
from .raster import new_canvas, to_image
from .sample import Sample

EDIT_TYPES = ("add", "remove", "replace", "adjust", "background", "extract", "action", "style", "compose")
SceneEdit = tuple[EditScene, str, str]  # target scene, instruction, plan


def _new_obj(rng: random.Random, scene: EditScene, allow_large: bool) -> EditObj:
    taken = {o.name for _, o in scene.objects()}
    large = allow_large and not any(o.large for _, o in scene.objects()) and rng.random() < 0.3
    while True:
        obj = EditObj(rng.choice(EDIT_SHAPES), rng.choice(EDIT_COLOURS), large)
        if obj.name not in taken:
            return obj


def random_scene(rng: random.Random, n_objects: int) -> EditScene:
    scene = EditScene(rng.choice(list(BACKGROUNDS)), (None,) * 4)
    for q in rng.sample(range(4), n_objects):
        scene = scene.with_slot(q, _new_obj(rng, scene, allow_large=True))
    return scene


def _pick(rng: random.Random, scene: EditScene) -> tuple[int, EditObj]:
    return rng.choice(scene.objects())


def _empty(rng: random.Random, scene: EditScene) -> int:
    return rng.choice([i for i, o in enumerate(scene.slots) if o is None])


def add(rng: random.Random, scene: EditScene) -> SceneEdit:
    q, obj = _empty(rng, scene), _new_obj(rng, scene, allow_large=True)
    where = QUADRANTS[q]
    return (
        scene.with_slot(q, obj),
        f"Add a {obj.size_word} {obj.name} in the {where} corner.",
        f"The {where} quadrant is empty. Draw a {obj.size_word} {obj.name} there.",
    )


def remove(rng: random.Random, scene: EditScene) -> SceneEdit:
    q, obj = _pick(rng, scene)
    return (
        scene.with_slot(q, None),
        f"Remove the {obj.name}.",
        f"The {obj.name} is in the {QUADRANTS[q]}. Paint its area with the {scene.background} background.",
    )


def replace(rng: random.Random, scene: EditScene) -> SceneEdit:
    q, obj = _pick(rng, scene)
    while True:
        new = EditObj(rng.choice(EDIT_SHAPES), rng.choice(EDIT_COLOURS), obj.large)
        if new.shape != obj.shape and new.name not in {o.name for _, o in scene.objects()}:
            break
    return (
        scene.with_slot(q, new),
        f"Replace the {obj.name} with a {new.name}.",
        f"The {obj.name} is in the {QUADRANTS[q]}. Draw a {new.size_word} {new.name} in its place.",
    )


def adjust(rng: random.Random, scene: EditScene) -> SceneEdit:
    q, obj = _pick(rng, scene)
    can_grow = not obj.large and not any(o.large for _, o in scene.objects())
    if obj.large or (can_grow and rng.random() < 0.4):
        new = EditObj(obj.shape, obj.colour, not obj.large)
        word = "larger" if new.large else "smaller"
        return (
            scene.with_slot(q, new),
            f"Make the {obj.name} {word}.",
            f"The {obj.name} is {obj.size_word}, in the {QUADRANTS[q]}. Redraw it {new.size_word}.",
        )
    taken = {o.name for _, o in scene.objects()}
    colour = rng.choice([c for c in EDIT_COLOURS if f"{c} {obj.shape}" not in taken])
    return (
        scene.with_slot(q, EditObj(obj.shape, colour, obj.large)),
        f"Change the colour of the {obj.name} to {colour}.",
        f"The {obj.name} is in the {QUADRANTS[q]}. Keep its shape and fill it with {colour}.",
    )


def background(rng: random.Random, scene: EditScene) -> SceneEdit:
    bg = rng.choice([b for b in BACKGROUNDS if b != scene.background])
    return (
        EditScene(bg, scene.slots),
        f"Change the background to {bg}.",
        f"Repaint the {scene.background} background {bg} and keep every object.",
    )


def action(rng: random.Random, scene: EditScene) -> SceneEdit:
    q, obj = _pick(rng, scene)
    dest = _empty(rng, scene)
    return (
        scene.with_slot(q, None).with_slot(dest, obj),
        f"Move the {obj.name} to the {QUADRANTS[dest]} corner.",
        f"The {obj.name} is in the {QUADRANTS[q]}. Erase it there and draw it in the {QUADRANTS[dest]}.",
    )


def _grayscale(c: np.ndarray) -> np.ndarray:
    level = (299 * c[..., 0] + 587 * c[..., 1] + 114 * c[..., 2] + 500) // 1000
    return np.repeat(level[..., None], 3, axis=2)


def _sepia(c: np.ndarray) -> np.ndarray:
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    out = np.stack(
        [
            (393 * r + 769 * g + 189 * b) // 1000,
            (349 * r + 686 * g + 168 * b) // 1000,
            (272 * r + 534 * g + 131 * b) // 1000,
        ],
        axis=2,
    )
    return np.minimum(out, 255)


STYLES: dict[str, tuple[str, str, Callable[[np.ndarray], np.ndarray]]] = {
    "grayscale": (
        "Convert the image to a black-and-white grayscale style.",
        "Map every pixel to its gray level.",
        _grayscale,
    ),
    "invert": ("Turn the image into a colour negative.", "Replace every colour by its inverse.", lambda c: 255 - c),
    "sepia": ("Give the image an old sepia photograph style.", "Apply a sepia tone to every pixel.", _sepia),
}

SCENE_EDITS: dict[str, Callable[[random.Random, EditScene], SceneEdit]] = {
    "add": add,
    "remove": remove,
    "replace": replace,
    "adjust": adjust,
    "background": background,
    "action": action,
}


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _target(rng: random.Random, edit_type: str, scene: EditScene, side: int) -> tuple[np.ndarray, str, str, dict]:
    """Target canvas, instruction, plan, extra meta."""
    if edit_type in SCENE_EDITS:
        target, instruction, plan = SCENE_EDITS[edit_type](rng, scene)
        return render_scene(target, side), instruction, plan, {}
    if edit_type == "compose":
        first, i1, p1 = rng.choice([remove, replace, adjust, add, action])(rng, scene)
        target, i2, p2 = background(rng, first)
        return render_scene(target, side), f"{i1[:-1]} and {_lower_first(i2)}", f"{p1} {p2}", {}
    if edit_type == "extract":
        q, obj = _pick(rng, scene)
        canvas = new_canvas(side, side, BACKGROUNDS["white"])
        canvas[object_mask(q, obj, side)] = OBJECT_COLOURS[obj.colour]
        return (
            canvas,
            f"Extract the {obj.name}.",
            f"Keep only the {obj.name} in the {QUADRANTS[q]} and paint everything else white.",
            {},
        )
    if edit_type == "style":
        style = rng.choice(list(STYLES))
        instruction, plan, fn = STYLES[style]
        out = fn(render_scene(scene, side).astype(np.int32)).astype(np.uint8)
        return out, instruction, plan, {"style": style}
    raise ValueError(f"unknown edit type {edit_type!r}")


def make(rng: random.Random, cfg: WorldConfig, sample_id: str, kind: str | None = None) -> Sample:
    edit_type = kind or rng.choice(EDIT_TYPES)
    side = cfg.edit_size
    for _ in range(100):  # redraw until the edit visibly changes enough pixels
        scene = random_scene(rng, rng.randint(2 if edit_type == "extract" else 1, 3))
        source = render_scene(scene, side)
        target, instruction, plan, extra = _target(rng, edit_type, scene, side)
        if changed_mask(source, target).sum() >= MIN_CHANGED_PIXELS:
            break
    else:
        raise RuntimeError(f"could not build a visible {edit_type} edit")
    return Sample(
        id=sample_id,
        family="edit",
        image=to_image(source),
        question=instruction,
        prompt=instruction,
        answer="",
        reasoning=plan,
        target_image=to_image(target),
        meta={"edit_type": edit_type, **extra},
    )
