"""Schemathesis hooks for the server's fuzz runs (test/server/fuzz.test.ts, `npm run fuzz`).

Generated image fields are random strings the server refuses at once, so the deep paths (decoding, the
model, the response) would never run: three of four schema-valid bodies get a real PNG in every image field
(`LAVIDA_FUZZ_IMAGE`; the file of an upload, a data URL in JSON) and the served model's id in `model`
(`LAVIDA_FUZZ_MODEL`); the fourth keeps what was generated, and so does every schema-violating body (it must
still be refused). The choice is a pure function of the body, so a failure replays.

`LAVIDA_FUZZ_MAX_PASSES` (optional) caps the knobs that set a request's cost (canvas length, denoising passes)
in those bodies, and sets the ones left out (the package's defaults cost 80 passes), so that a bounded run
reaches the model often and cheaply; the deep run leaves them as generated.

Refusals that openapi.yaml documents in prose because JSON Schema cannot express them (a rule across fields,
a limit that depends on the model or on the image) are not counted as valid data refused.
"""

from __future__ import annotations

import base64
import os
import zlib
from pathlib import Path
from typing import Any

import schemathesis

PNG = Path(os.environ["LAVIDA_FUZZ_IMAGE"]).read_bytes()
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
MODEL = os.environ["LAVIDA_FUZZ_MODEL"]
MAX_PASSES = int(os.environ.get("LAVIDA_FUZZ_MAX_PASSES", "0"))
COST_KNOBS = {
    "/v1/vqa": ("max_tokens", "steps"),
    "/v1/edit": ("steps", "plan_steps"),
    "/v1/chat/completions": ("max_tokens", "max_completion_tokens"),
}

# Refusals beyond the schema that openapi.yaml documents: the text knobs' divisibility rule, the edit limits of the
# model (server/engine/planning/), control-token strings and a second <image> that generated text may hold, a prompt
# over the context; on the OpenAI route, the conversation rules and the OpenAI parameters not implemented, each a
# 400 naming its `param` (server/openai/).
DOCUMENTED = ("must be a multiple of", "must be at most the", "control token", "names <image>")
DOCUMENTED_TYPES = ("urn:lavida:problem:context-length-exceeded",)
OPENAI_ROUTE = "/v1/chat/completions"


def _keeps_generated(body: Any) -> bool:
    return zlib.crc32(repr(body).encode()) % 4 == 0


def _chat_images(messages: Any) -> None:
    for message in messages if isinstance(messages, list) else []:
        parts = message.get("content") if isinstance(message, dict) else None
        for part in parts if isinstance(parts, list) else []:
            url = part.get("image_url") if isinstance(part, dict) else None
            if isinstance(url, dict) and isinstance(url.get("url"), str):
                url["url"] = DATA_URL


def _cap_costs(path: str, body: dict[str, Any]) -> None:
    for knob in COST_KNOBS.get(path, ()):
        value = body.get(knob)
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > MAX_PASSES):
            body[knob] = MAX_PASSES


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    body, meta = case.body, case.meta
    if meta is None or not meta.generation.mode.is_positive or not isinstance(body, dict) or _keeps_generated(body):
        return case
    if "image" in body:
        body["image"] = PNG if (case.media_type or "").startswith("multipart/") else DATA_URL
    if "model" in body:
        body["model"] = MODEL
    _chat_images(body.get("messages"))
    if MAX_PASSES:
        _cap_costs(case.operation.path, body)
    return case


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    try:
        problem = response.json()
    except ValueError:
        return True
    if not isinstance(problem, dict):
        return True
    detail = str(problem.get("detail", ""))
    documented = (
        any(d in detail for d in DOCUMENTED)
        or problem.get("type") in DOCUMENTED_TYPES
        or (case.operation.path == OPENAI_ROUTE and response.status_code == 400 and bool(problem.get("param")))
    )
    return not documented
