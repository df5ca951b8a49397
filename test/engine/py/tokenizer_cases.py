"""Tokenizer/prompt parity cases: strings from the world plus hand-made ones, with what the Python reference
makes of them."""

import random

from lavida_r1 import prompts
from lavida_r1.inference import decode_text
from lavida_r1.model.chat import grounding_request, render_prompt
from lavida_r1.model.presets import get_preset
from lavida_r1.scoring import extract_answer
from lavida_r1.tokenizer import EDIT_SLOTS, GEN_SLOTS, encode_with_slots, load_tokenizer
from lavida_r1.world import FAMILIES, generate, sft_target


def prompt_or_none(tok, config, text: str, image_tokens: int, system: bool, edit: bool) -> list[int] | None:
    """The prompt ids, or None where the reference refuses the text (it names <image> more than once)."""
    try:
        return prompts.prompt_ids(tok, config, text, image_tokens, system, edit)
    except ValueError:
        return None


def build(tokenizer_path: str, per_family: int) -> dict:
    config = get_preset("tiny")
    tok = load_tokenizer(tokenizer_path, config)
    rng = random.Random(7)

    texts, boxes = [], []
    for family in FAMILIES:
        for split in ("train", "eval"):
            for index in range(per_family):
                s = generate(family, split, index)
                texts += [s.prompt, sft_target(s), s.question, s.answer, s.reasoning]
                if s.box is not None:
                    boxes.append({"box": list(s.box), "size": [s.image.width, s.image.height]})
    texts += [
        "",
        " ",
        "  leading and trailing  ",
        "tabs\tand\nnewlines\r\n",
        "héllo wörld — ünïcödé ✓",
        "日本語のテキスト",
        "emoji 🙂👍🏽 and ZWJ 👩‍💻",
        "<LOC_0><LOC_1024><LOC_BEGIN><LOC_5><LOC_END>",
        "a<image>b<|edit_slots|>c<|gen_slots|>d",
        "<|eot_id|><|endoftext|><|mdm_mask|>",
        "<answer> 42 </answer>",
        "x<answer>\n7\n</answer>y<answer>8</answer>",
        "<|reserved_token_5|><|reserved_token_6|>",
        "<LOC_99999>",
        "<box_p>cat</box_p>",
        "numbers 3.14159 -2e10 1,000",
        "\u00a0nbsp\u3000ideographic\u2028ls",
        "\ufeffbom",
        "mixed<image><image>twice",
        grounding_request("the red circle"),
    ]
    for _ in range(60):  # random mixtures of ASCII, unicode and special/LOC strings
        parts = rng.choices(
            [
                "word",
                " ",
                "\n",
                "é",
                "中",
                "🙂",
                "<image>",
                "<LOC_17>",
                "<|eot_id|>",
                "<answer>",
                "</answer>",
                EDIT_SLOTS,
                GEN_SLOTS,
                "<",
                ">",
                "|",
                "_",
                "0",
                "42",
            ],
            k=rng.randint(1, 20),
        )
        texts.append("".join(parts))

    slots = [(rng.randint(0, 30), rng.randint(0, 5), rng.randint(0, 5)) for _ in texts]
    ids_pool = list(range(config.vocab_size))
    random_ids = [[rng.choice(ids_pool) for _ in range(rng.randint(0, 40))] for _ in range(100)]
    stops = {config.eos_token_id, config.eot_token_id}
    decoded = [tok.decode(ids, skip_special_tokens=False) for ids in random_ids]
    return {
        "config": config.to_dict(),
        "texts": texts,
        "ids": [tok.encode(t, add_special_tokens=False).ids for t in texts],
        "decoded": [tok.decode(tok.encode(t, add_special_tokens=False).ids, skip_special_tokens=False) for t in texts],
        "slots": [list(s) for s in slots],
        "slot_ids": [encode_with_slots(tok, render_prompt(t), config, *s) for t, s in zip(texts, slots)],
        "prompt_ids": [
            [prompt_or_none(tok, config, t, n, system, edit) for system in (False, True) for edit in (False, True)]
            for t, (n, _, _) in zip(texts, slots)
        ],
        "text_answers": [
            prompts.text_answer_ids(tok, config, t, len(tok.encode(t).ids) + 1 + k % 3) for k, t in enumerate(texts)
        ],
        "edit_answers": [
            prompts.edit_answer_ids(tok, config, t, len(tok.encode(t).ids) + k % 4) for k, t in enumerate(texts)
        ],
        "boxes": boxes,
        "grounding_answers": [prompts.grounding_answer_ids(config, b["box"], tuple(b["size"])) for b in boxes],
        "random_ids": random_ids,
        "random_decoded": decoded,
        "decode_text": [decode_text(tok, ids, stops) for ids in random_ids],
        "extract_answer": [extract_answer(t) for t in texts + decoded],
    }
