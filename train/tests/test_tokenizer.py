"""The tiny tokenizer: id layout, atomic LOC tokens, slot expansion, and the committed tokenizer.json."""

from pathlib import Path

import pytest

from lavida_r1.model import get_preset
from lavida_r1.model.chat import render_prompt
from lavida_r1.tokenizer import EDIT_SLOTS, GEN_SLOTS, build_tiny_tokenizer, encode_with_slots, load_tokenizer
from lavida_r1.world.corpus import world_corpus

COMMITTED = Path(__file__).resolve().parents[1] / "checkpoints" / "lavida-r1-tiny" / "tokenizer.json"


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(COMMITTED, get_preset("tiny"))


def test_committed_tokenizer_matches_the_preset_layout(tokenizer):
    c = get_preset("tiny")
    assert tokenizer.get_vocab_size() == c.vocab_size
    assert tokenizer.token_to_id("<|mdm_mask|>") == c.mask_token_id
    assert tokenizer.token_to_id("<LOC_0>") == c.loc_token_offset
    assert tokenizer.token_to_id("<LOC_1024>") == c.loc_token_offset + 1024
    assert tokenizer.token_to_id("<LOC_END>") == c.loc_end_id


def test_loc_tokens_are_atomic_and_decode_back(tokenizer):
    c = get_preset("tiny")
    text = "<answer><LOC_BEGIN><LOC_12><LOC_1024><LOC_7><LOC_500><LOC_END></answer>"
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    assert [c.loc_begin_id, c.loc_token(12), c.loc_token(1024), c.loc_token(7), c.loc_token(500), c.loc_end_id] == [
        i for i in ids if i >= c.loc_token_offset
    ]
    assert tokenizer.decode(ids, skip_special_tokens=False) == text


def test_text_round_trips_including_unseen_characters(tokenizer):
    for text in ("How many circles are there? Answer: 3", "naïve – 数字 ✓", "  spaces\n\ttabs"):
        assert tokenizer.decode(tokenizer.encode(text, add_special_tokens=False).ids) == text


def test_slot_expansion(tokenizer):
    c = get_preset("tiny")
    text = render_prompt(f"{EDIT_SLOTS}\nmake it red", image=True, system=None) + f"plan {GEN_SLOTS}<|eot_id|>"
    ids = encode_with_slots(tokenizer, text, c, image_tokens=5, edit_tokens=4, gen_tokens=16)
    assert ids.count(c.image_token_id) == 5 and ids.count(c.edit_token_id) == 4 and ids.count(c.gen_token_id) == 16
    assert ids[0] == c.bos_token_id and ids[-1] == c.eot_token_id
    first_image = ids.index(c.image_token_id)
    assert ids[first_image : first_image + 5] == [c.image_token_id] * 5  # contiguous, in place of `<image>`


def test_training_is_deterministic_and_fails_clearly_on_a_tiny_corpus():
    c = get_preset("tiny")
    corpus = list(world_corpus(samples_per_family=60))
    a, b = build_tiny_tokenizer(c, corpus), build_tiny_tokenizer(c, corpus)
    assert a.to_str() == b.to_str()
    with pytest.raises(ValueError, match="BPE tokens"):
        build_tiny_tokenizer(c, ["ab ab ab"])


def test_committed_tokenizer_is_what_the_cli_builds(tmp_path):
    from lavida_r1.tokenizer_train import main

    main(["--out", str(tmp_path / "tokenizer.json")])
    assert (tmp_path / "tokenizer.json").read_text() == COMMITTED.read_text()


def test_a_question_naming_the_image_keeps_it_in_place(tokenizer):
    from lavida_r1.prompts import prompt_ids

    c = get_preset("tiny")
    inline = prompt_ids(tokenizer, c, "What is in <image> here?", 3, system=False)
    start = inline.index(c.image_token_id)
    assert inline.count(c.image_token_id) == 3 and inline[start : start + 3] == [c.image_token_id] * 3
    assert tokenizer.decode(inline[start + 3 : start + 6], skip_special_tokens=False).startswith(" here")
    prepended = prompt_ids(tokenizer, c, "What is here?", 3, system=False)
    assert prepended.count(c.image_token_id) == 3 and prepended != inline
    with pytest.raises(ValueError, match="names <image> 2 times"):
        prompt_ids(tokenizer, c, "<image> and <image>", 3, system=False)
