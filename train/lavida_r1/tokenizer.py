"""The text tokenizer: an HF `tokenizers` byte-level BPE (tokenizer.json) with the upstream special-token strings.

`build_tiny_tokenizer` trains lavida-r1-tiny's tokenizer on the synthetic world's text and lays its ids out
exactly as the `tiny` preset expects (ordinary tokens 0..loc_offset-13, control tokens, LOC tokens, box tokens);
the real LLaDA tokenizer.json loads through the same `load_tokenizer` (`python -m lavida_r1.tokenizer_train`
writes the tiny one; `tokenizer_for` picks the file a command loads).

Placeholders for non-text inputs are not tokenized from text: `encode_with_slots` splits the text at `<image>`
and inserts `image_token_id` once per image embedding (and likewise edit-source and generation slots), so a
tokenizer only needs the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

from .model.chat import IMAGE
from .model.config import LavidaConfig

EDIT_SLOTS = "<|edit_slots|>"  # marks where the edit source's VQ slots go in a prompt template
GEN_SLOTS = "<|gen_slots|>"  # marks where the generated image's slots go in an answer template
DEFAULT_TOKENIZER = Path(__file__).resolve().parents[1] / "checkpoints" / "lavida-r1-tiny" / "tokenizer.json"
TOKENIZER_HELP = "default: the checkpoint's tokenizer.json, else lavida-r1-tiny's"


def control_tokens(config: LavidaConfig) -> dict[str, int]:
    """Control-token strings → ids (upstream strings; `<image>` is our placeholder's name)."""
    return {
        "<|startoftext|>": config.bos_token_id,
        "<|endoftext|>": config.eos_token_id,
        "<|eot_id|>": config.eot_token_id,
        "<|start_header_id|>": config.start_header_id,
        "<|end_header_id|>": config.end_header_id,
        "<|mdm_mask|>": config.mask_token_id,
        IMAGE: config.image_token_id,
        "<|reserved_token_5|>": config.gen_token_id,
        "<|reserved_token_6|>": config.edit_token_id,
    }


def grounding_tokens(config: LavidaConfig) -> dict[str, int]:
    tokens = {f"<LOC_{i}>": config.loc_token(i) for i in range(config.num_loc_bins)}
    tokens.update(
        {
            "<box_p>": config.box_start_id,
            "</box_p>": config.box_end_id,
            "<LOC_BEGIN>": config.loc_begin_id,
            "<LOC_END>": config.loc_end_id,
        }
    )
    return tokens


def build_tiny_tokenizer(config: LavidaConfig, corpus: Iterable[str]) -> Tokenizer:
    """Byte-level BPE over `corpus` filling every id below the first control token, then the added tokens."""
    controls = control_tokens(config)
    first_control = min(controls.values())
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=first_control, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tokenizer.train_from_iterator(corpus, trainer)
    if tokenizer.get_vocab_size() != first_control:
        raise ValueError(f"the corpus yields {tokenizer.get_vocab_size()} BPE tokens, {first_control} are needed")
    # Ids between the control tokens and the LOC block are filled with unused reserved tokens.
    wanted = {**controls, **grounding_tokens(config)}
    fillers = iter(f"<|reserved_token_{i}|>" for i in range(100, 10_000))
    by_id = {i: s for s, i in wanted.items()}
    for token_id in range(first_control, config.vocab_size):
        text = by_id.get(token_id) or next(fillers)
        special = text in controls or text.startswith("<|reserved_token_")
        tokenizer.add_special_tokens([AddedToken(text, special=True)]) if special else tokenizer.add_tokens(
            [AddedToken(text, special=False, normalized=False)]
        )
    check_layout(tokenizer, config)
    return tokenizer


def check_layout(tokenizer: Tokenizer, config: LavidaConfig) -> None:
    """Fails unless every control, LOC and box token has the id the config expects."""
    wrong = sorted(
        f"{s}: {tokenizer.token_to_id(s)} (expected {i})"
        for s, i in {**control_tokens(config), **grounding_tokens(config)}.items()
        if tokenizer.token_to_id(s) != i
    )
    if wrong:
        raise ValueError("tokenizer ids do not match the model config:\n  " + "\n  ".join(wrong[:20]))
    if tokenizer.get_vocab_size() > config.vocab_size:
        raise ValueError(f"tokenizer has {tokenizer.get_vocab_size()} ids, the model {config.vocab_size}")


def load_tokenizer(path: str | Path, config: LavidaConfig) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(path))
    check_layout(tokenizer, config)
    return tokenizer


def tokenizer_for(checkpoint: Path | None, given: Path | None) -> Path:
    """The tokenizer a CLI uses: the one given, else the checkpoint's own (a retrained tokenizer travels with
    its weights), else lavida-r1-tiny's."""
    if given is not None:
        return given
    own = checkpoint / "tokenizer.json" if checkpoint is not None else None
    return own if own is not None and own.exists() else DEFAULT_TOKENIZER


def encode_with_slots(
    tokenizer: Tokenizer,
    text: str,
    config: LavidaConfig,
    image_tokens: int = 0,
    edit_tokens: int = 0,
    gen_tokens: int = 0,
) -> list[int]:
    """Token ids of `text` with `<image>`, EDIT_SLOTS and GEN_SLOTS replaced by that many slot ids."""
    slots = {
        IMAGE: [config.image_token_id] * image_tokens,
        EDIT_SLOTS: [config.edit_token_id] * edit_tokens,
        GEN_SLOTS: [config.gen_token_id] * gen_tokens,
    }
    ids: list[int] = []
    for piece, marker in _split_markers(text, list(slots)):
        ids += tokenizer.encode(piece, add_special_tokens=False).ids if piece else []
        ids += slots[marker] if marker else []
    return ids


def _split_markers(text: str, markers: list[str]) -> Iterator[tuple[str, str | None]]:
    """(text before a marker, the marker) pairs, the last with marker None."""
    while True:
        hits = [(text.find(m), m) for m in markers if m in text]
        if not hits:
            yield text, None
            return
        at, marker = min(hits)
        yield text[:at], marker
        text = text[at + len(marker) :]
