"""canvases.json: the answer canvas length (tokens) each task family was trained at, kept in the checkpoint
folder beside config.json, so that every decoder (the reference pipelines, the export, the server) decodes a
family at the length it learned:

    {"math": 64, "chart": 80, "mcq": 48, "edit_plan": 64}

`math`, `chart`, `mcq`: the VQA answers (reasoning, `<answer>…</answer>`, EOS padding); `edit_plan`: an edit's
plan region, before its image slots. All four are required and no other key is allowed; the VQA canvases are
whole numbers of the reference sampler's 16-token blocks. A checkpoint without the file decodes as every
checkpoint did before the file existed: `UNIFORM`, one 80-token canvas for every VQA family.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

CANVASES_FILE = "canvases.json"
VQA_FAMILIES = ("math", "chart", "mcq")
BLOCK_LENGTH = 16  # the reference text sampler's semi-autoregressive block


@dataclass(frozen=True)
class Canvases:
    math: int
    chart: int
    mcq: int
    edit_plan: int

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if type(value) is not int or value < 1:
                raise ValueError(f"canvas {name} must be a positive integer (got {value!r})")
        for family, value in self.vqa().items():
            if value % BLOCK_LENGTH:
                raise ValueError(f"canvas {family} ({value}) must be a multiple of the {BLOCK_LENGTH}-token block")

    def vqa(self) -> dict[str, int]:
        """The VQA families' canvases, by family."""
        return {family: getattr(self, family) for family in VQA_FAMILIES}

    @property
    def longest(self) -> int:
        """The VQA canvas for a question of unknown family: every family's answer fits."""
        return max(self.vqa().values())

    def answer(self, family: str | None) -> int:
        """A VQA family's canvas; None: the longest."""
        if family is None:
            return self.longest
        if family not in VQA_FAMILIES:
            raise ValueError(f"no answer canvas for family {family!r} (VQA families: {', '.join(VQA_FAMILIES)})")
        return getattr(self, family)


UNIFORM = Canvases(math=80, chart=80, mcq=80, edit_plan=64)


def parse_canvases(data: object, source: str) -> Canvases:
    """`data` (parsed JSON) as Canvases; `source` names it in errors."""
    names = [f.name for f in fields(Canvases)]
    if not isinstance(data, dict) or set(data) != set(names):
        raise ValueError(f"{source}: must be a JSON object with exactly the keys {', '.join(names)} (got {data!r})")
    try:
        return Canvases(**data)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None


def read_canvases(checkpoint: str | Path) -> Canvases:
    """The checkpoint folder's canvases.json; UNIFORM when the folder has none."""
    path = Path(checkpoint) / CANVASES_FILE
    if not path.exists():
        return UNIFORM
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    return parse_canvases(data, str(path))
