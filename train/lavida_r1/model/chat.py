"""The LLaDA chat template ("llada" conversation, LLaMA-3 header style) used by LaViDa and LaViDa-O.

Prompts are built as text with the literal special-token strings; the tokenizer maps each to its id.
`<image>` stands for the image placeholder, expanded to one `image_token_id` per image embedding.
"""

from __future__ import annotations

SYSTEM_PROMPT = (
    "You are a helpful language and vision assistant. You are able to understand the visual content that the "
    "user provides, and assist the user with a variety of tasks using natural language."
)
BOS, EOT = "<|startoftext|>", "<|eot_id|>"
IMAGE = "<image>"


def header(role: str) -> str:
    return f"<|start_header_id|>{role}<|end_header_id|>\n\n"


def render_prompt(user: str, *, image: bool = True, system: str | None = SYSTEM_PROMPT) -> str:
    """Everything up to and including the assistant header; the answer canvas follows it."""
    text = BOS
    if system is not None:
        text += header("system") + system + EOT
    text += header("user") + (f"{IMAGE}\n" if image else "") + user + EOT
    return text + header("assistant")


def render_answer(answer: str) -> str:
    """A training target: the answer closed by <|eot_id|> (padding with <|endoftext|> follows it)."""
    return answer + EOT


def grounding_request(expression: str) -> str:
    """LaViDa-O's RefCOCO-style grounding instruction."""
    return f"Please locate {expression} in this image. Give bounding boxes in LOC format."
