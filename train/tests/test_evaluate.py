"""`python -m lavida_r1.evaluate`: text sampler changes (--text) reach the sampler; bad ones stop with a message."""

import pytest

from lavida_r1 import inference
from lavida_r1.evaluate import main
from lavida_r1.evaluation import evaluate
from lavida_r1.tokenizer import DEFAULT_TOKENIZER


def test_text_changes_reach_the_sampler(tiny_model, monkeypatch):
    seen = []
    real = inference.generate_text

    def recording(model, ids, config, **kw):
        seen.append(config)
        return real(model, ids, config, **kw)

    monkeypatch.setattr(inference, "generate_text", recording)
    report = evaluate(tiny_model, DEFAULT_TOKENIZER, ["math"], 2, text={"threshold": 0.9, "dual_cache": True})
    assert set(report["math"]) == {"accuracy", "chance"}
    assert len(seen) == 2 and all(c.threshold == 0.9 and c.dual_cache for c in seen)


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
