"""`python -m lavida_r1.evaluate`: text sampler changes (--text) reach the sampler; bad ones stop with a message."""

import pytest

from lavida_r1 import evaluation, inference
from lavida_r1.evaluate import main
from lavida_r1.tokenizer import DEFAULT_TOKENIZER


def test_text_changes_reach_the_sampler(tiny_model, monkeypatch):
    seen = []
    real = inference.generate_text

    def recording(model, ids, config, **kw):
        seen.append(config)
        return real(model, ids, config, **kw)

    monkeypatch.setattr(inference, "generate_text", recording)
    report = evaluation.evaluate(
        tiny_model, DEFAULT_TOKENIZER, ["math"], 2, text={"threshold": 0.9, "dual_cache": True}
    )
    assert set(report["math"]) == {"accuracy", "chance"}
    assert len(seen) == 2 and all(c.threshold == 0.9 and c.dual_cache for c in seen)


def test_one_kind_of_a_family_is_scored_under_its_own_key(tiny_model, monkeypatch):
    asked = []
    real = evaluation.score_family
    monkeypatch.setattr(
        evaluation,
        "score_family",
        lambda pipe, family, samples: asked.append((family, samples)) or real(pipe, family, samples),
    )
    report = evaluation.evaluate(tiny_model, DEFAULT_TOKENIZER, ["math:digit_list", "mcq:colour_of"], 2)
    assert list(report) == ["math:digit_list", "mcq:colour_of"]
    assert set(report["mcq:colour_of"]) == {"accuracy", "chance"}
    assert [family for family, _ in asked] == ["math", "mcq"]
    assert all(s.meta["kind"] == "digit_list" for s in asked[0][1])
    assert [(s.meta["kind"], s.meta["setting"]) for s in asked[1][1]] == [
        ("colour_of", "standard"),
        ("colour_of", "vision"),
    ]


@pytest.mark.parametrize("families", ["math:nope", "nope:count"])
def test_unknown_kinds_stop_with_a_message(families):
    with pytest.raises(SystemExit, match="unknown families|has no kind 'nope'"):
        main(["--untrained", "--n", "1", "--families", families, "--threads", "1"])


@pytest.mark.parametrize(
    "text,message",
    [
        ('{"temp": 1}', "must be a JSON object of TextSamplerConfig fields"),
        ("[1]", "must be a JSON object"),
        ('{"threshold": 2}', "threshold must lie in"),
    ],
)
def test_bad_text_changes_stop_with_a_message(text, message):
    with pytest.raises(SystemExit, match=message):
        main(["--untrained", "--n", "1", "--families", "math", "--threads", "1", "--text", text])
