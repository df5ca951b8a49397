"""ImgEdit single-turn: `ImgEdit/Benchmark/singleturn/singleturn.json` ({key: {id, prompt, edit_type}}),
source images in category folders beside it (one with a space, "daily object", as upstream) and
`judge_prompt.json` ({edit_type: prompt}).

Not part of the upstream format: the exact target of edit <key> is `ImgEdit/world_targets/<key>.png`,
read by the oracle judge. Edit types cycle through all nine, so every type is covered.
"""

from __future__ import annotations

from pathlib import Path

from ..config import WorldConfig
from ..edit_tasks import EDIT_TYPES
from ..generate import generate
from ..judge_prompts import judge_prompts
from .io import Progress, write_json, write_png

BENCH = "ImgEdit/Benchmark/singleturn"
TARGETS = "ImgEdit/world_targets"
CATEGORY = {
    "add": "for_add",
    "remove": "daily object",
    "replace": "daily object",
    "adjust": "daily object",
    "extract": "daily object",
    "background": "architecture",
    "action": "transport",
    "style": "style",
    "compose": "compose/objects",
}


def write(out: Path, size: int, seed: int, config: WorldConfig) -> list[Path]:
    bench, targets = out / BENCH, out / TARGETS
    items, progress = {}, Progress("ImgEdit singleturn", size)
    for i in range(size):
        edit_type = EDIT_TYPES[i % len(EDIT_TYPES)]
        s = generate("edit", "eval", i, seed, config, kind=edit_type)
        key, rel = str(i + 1), f"{CATEGORY[edit_type]}/{i:09d}.png"
        write_png(bench / rel, s.image)
        assert s.target_image is not None
        write_png(targets / f"{key}.png", s.target_image)
        items[key] = {"id": rel, "prompt": s.question, "edit_type": edit_type}
        progress.step()
    paths = [bench / "singleturn.json", bench / "judge_prompt.json"]
    write_json(paths[0], items)
    write_json(paths[1], judge_prompts())
    return paths
