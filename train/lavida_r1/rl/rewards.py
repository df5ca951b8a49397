"""Rewards per task family, from the same rules the evaluator scores by (`lavida_r1.scoring`).

math / mcq / chart: 1 for a correct `<answer>`, else 0; grounding: IoU with the true box; edits: the world's
oracle judge score mapped from 1-5 to [0, 1], or a reward endpoint for data without a known target. An
optional format reward (weight `format_weight`) adds 1 when the response is reasoning followed by exactly one
`<answer>…</answer>`.
"""

from __future__ import annotations

import base64
import io
import json
import re
import urllib.error
import urllib.request

from PIL import Image

from ..scoring import answer_correct, box_iou, edit_score
from ..world import Sample

WELL_FORMED = re.compile(r"^[^<]+<answer>[^<]+</answer>$", re.DOTALL)


def format_ok(response: str) -> bool:
    return WELL_FORMED.match(response.strip()) is not None


def text_reward(sample: Sample, response: str, format_weight: float = 0.0) -> float:
    return float(answer_correct(sample, response)) + format_weight * format_ok(response)


def grounding_reward(sample: Sample, box: list[float]) -> float:
    return box_iou(box, list(sample.box))


def oracle_edit_reward(sample: Sample, edited: Image.Image) -> float:
    return (edit_score(sample, edited) - 1) / 4


def _png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class RewardEndpoint:
    """A remote edit reward (e.g. an EditScore server): POST {"instruction", "source", "edited"} (base64 PNGs)
    and read {"reward": number} back."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url, self.timeout = url, timeout

    def __call__(self, sample: Sample, edited: Image.Image) -> float:
        body = json.dumps(
            {"instruction": sample.question, "source": _png_base64(sample.image), "edited": _png_base64(edited)}
        ).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
            raise RuntimeError(f"reward endpoint {self.url} failed: {error}") from error
        reward = reply.get("reward") if isinstance(reply, dict) else None
        if not isinstance(reward, (int, float)) or isinstance(reward, bool):
            raise RuntimeError(f"reward endpoint {self.url} answered without a numeric 'reward': {reply!r}"[:300])
        return float(reward)
