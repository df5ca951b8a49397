"""Calls a running LaViDa-R1 server through a client that openapi-python-client generated from openapi.yaml
(test/server/python-client.test.ts generates it into a temporary folder and puts it on sys.path as `lavida_client`).

Usage: python calls.py <base-url> <model-id> <examples-dir>

Prints one JSON object: for each call, the class the client parsed the response into, the parsed object written
back out (`to_dict()`), the response body as the server sent it, and the fields the client had no model for (kept
as `additional_properties`), so the test can check that the client models every field and loses nothing.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import attrs
from lavida_client import Client
from lavida_client.api.openai import create_chat_completion
from lavida_client.api.tasks import ground, vqa
from lavida_client.models import (
    ChatCompletionRequest,
    ChatImagePart,
    ChatImageUrl,
    ChatMessage,
    ChatMessageRole,
    ChatTextPart,
    GroundRequest,
    VqaRequest,
)

COUNT_QUESTION = "How many circles are there in the image?\nAnswer the question using a single integer number."


def data_url(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def unmodelled(value: Any, path: str = "") -> list[str]:
    """The JSON paths of fields a generated model kept as additional properties (a field the spec does not name)."""
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in unmodelled(item, f"{path}[{i}]")]
    if not attrs.has(type(value)):
        return []
    found = [f"{path}.{key}" for key in getattr(value, "additional_properties", {})]
    for field in attrs.fields(type(value)):
        if field.name != "additional_properties":
            found += unmodelled(getattr(value, field.name), f"{path}.{field.name}")
    return found


def outcome(response: Any) -> dict[str, Any]:
    return {
        "status": int(response.status_code),
        "parsed_type": type(response.parsed).__name__,
        "parsed": response.parsed.to_dict(),
        "raw": json.loads(response.content),
        "unmodelled": unmodelled(response.parsed),
    }


def main(base_url: str, model: str, examples: Path) -> None:
    client = Client(base_url=base_url, timeout=120.0, raise_on_unexpected_status=True)
    count = data_url(examples / "count.png")
    chat_request = ChatCompletionRequest(
        model=model,
        max_tokens=64,
        messages=[
            ChatMessage(
                role=ChatMessageRole.USER,
                content=[
                    ChatTextPart(type_="text", text=COUNT_QUESTION),
                    ChatImagePart(type_="image_url", image_url=ChatImageUrl(url=count)),
                ],
            )
        ],
    )
    results = {
        "vqa": outcome(vqa.sync_detailed(client=client, body=VqaRequest(image=count, question=COUNT_QUESTION))),
        "ground": outcome(
            ground.sync_detailed(
                client=client,
                body=GroundRequest(image=data_url(examples / "ground.png"), description="the largest green object"),
            )
        ),
        "chat": outcome(create_chat_completion.sync_detailed(client=client, body=chat_request)),
    }
    chat_request.model = "no-such-model"
    results["chat_unknown_model"] = outcome(create_chat_completion.sync_detailed(client=client, body=chat_request))
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
