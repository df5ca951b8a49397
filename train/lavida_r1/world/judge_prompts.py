"""ImgEdit judge labels (exactly as the official prompts ask for them) and our own judge prompt texts,
laid out like the release's judge_prompt.json: {edit_type: prompt with an `<edit_prompt>` placeholder}."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str, str]] = {
    "add": ("Prompt Compliance", "Visual Naturalness", "Physical & Detail Coherence"),
    "remove": ("Prompt Compliance", "Visual Naturalness", "Physical & Detail Integrity"),
    "replace": ("Prompt Compliance", "Visual Naturalness", "Physical & Detail Integrity"),
    "adjust": ("Prompt Compliance", "Visual Seamlessness", "Physical & Detail Fidelity"),
    "style": ("Style Fidelity", "Content Preservation", "Rendering Quality"),
    "action": ("Action Fidelity", "Identity Preservation", "Visual & Anatomical Coherence"),
    "extract": ("Object Identity", "Mask Precision", "Visual Quality"),
    "background": ("Instruction Compliance", "Visual Seamlessness", "Physical Consistency"),
    "compose": ("Instruction Compliance", "Visual Naturalness", "Physical Consistency & Fine Detail"),
}

_TASKS = {
    "add": "object addition edits",
    "remove": "object removal edits",
    "replace": "object replacement edits",
    "adjust": "attribute adjustment edits",
    "style": "style transfer edits",
    "action": "action and motion edits",
    "extract": "object extraction edits",
    "background": "background change edits",
    "compose": "multi-step hybrid edits",
}

_CRITERIA = (  # one sentence per perspective; {} takes the degree of the score level
    "The requested change is {} carried out.",
    "Content the instruction did not mention is {} preserved.",
    "Shapes, colours and edges are {} clean and consistent.",
)
_DEGREES = ("not at all", "barely", "partly", "mostly", "fully")


def judge_prompt(edit_type: str) -> str:
    blocks = []
    for label, criterion in zip(LABELS[edit_type], _CRITERIA):
        lines = [label] + [f"{k}  {criterion.format(d)}" for k, d in enumerate(_DEGREES, start=1)]
        blocks.append("\n".join(lines))
    answer_lines = "\n".join(f"{label}: A number from 1 to 5." for label in LABELS[edit_type])
    return (
        f"\nYou are a data rater specializing in grading {_TASKS[edit_type]}. You will be given two images "
        "(before editing and after editing) and the editing instruction. Your task is to evaluate the edit "
        "on a 5-point scale from three perspectives:\n\n"
        + "\n\n".join(blocks)
        + "\nThe second and third score should no higher than first score!!!\n\n"
        "Example Response Format:\nBrief reasoning: A short explanation of the score based on the criteria "
        f"above, no more than 20 words.\n{answer_lines}\n"
        "editing instruction is : <edit_prompt>.\n\nBelow are the images before and after editing:\n"
    )


def judge_prompts() -> dict[str, str]:
    return {t: judge_prompt(t) for t in LABELS}
