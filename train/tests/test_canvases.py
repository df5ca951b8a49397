"""canvases.json: the reader, and the reference pipelines decoding each VQA family over its own canvas."""

import json

import pytest

from lavida_r1 import inference
from lavida_r1.evaluate import main
from lavida_r1.evaluation import evaluate
from lavida_r1.model import save_checkpoint
from lavida_r1.model.canvases import CANVASES_FILE, UNIFORM, Canvases, read_canvases
from lavida_r1.tokenizer import DEFAULT_TOKENIZER

SMALL = Canvases(math=32, chart=48, mcq=16, edit_plan=8)


def write(directory, data):
    directory.mkdir(exist_ok=True)
    (directory / CANVASES_FILE).write_text(json.dumps(data))
    return directory


def test_reads_the_checkpoint_canvases(tmp_path):
    canvases = read_canvases(write(tmp_path, {"math": 64, "chart": 80, "mcq": 48, "edit_plan": 64}))
    assert canvases == Canvases(math=64, chart=80, mcq=48, edit_plan=64)
    assert (canvases.answer("math"), canvases.answer("mcq"), canvases.answer(None)) == (64, 48, 80)
    assert canvases.vqa() == {"math": 64, "chart": 80, "mcq": 48}


def test_committed_checkpoint_has_its_training_canvases():
    assert read_canvases(DEFAULT_TOKENIZER.parent) == Canvases(math=64, chart=80, mcq=48, edit_plan=80)


def test_a_checkpoint_without_the_file_decodes_over_one_canvas(tmp_path):
    assert read_canvases(tmp_path) == UNIFORM
    assert {UNIFORM.answer(f) for f in ("math", "chart", "mcq", None)} == {80}


@pytest.mark.parametrize(
    "data,message",
    [
        ({"math": 64, "chart": 80, "mcq": 48}, "exactly the keys math, chart, mcq, edit_plan"),
        ({"math": 64, "chart": 80, "mcq": 48, "edit_plan": 64, "caption": 88}, "exactly the keys"),
        ([64, 80, 48, 64], "must be a JSON object"),
        (
            {"math": 64, "chart": 68, "mcq": 48, "edit_plan": 64},
            "chart \\(68\\) must be a multiple of the 16-token block",
        ),
        ({"math": 0, "chart": 80, "mcq": 48, "edit_plan": 64}, "math must be a positive integer"),
        ({"math": 64, "chart": 80, "mcq": 48, "edit_plan": "64"}, "edit_plan must be a positive integer"),
    ],
)
def test_bad_files_are_refused_naming_the_file(tmp_path, data, message):
    with pytest.raises(ValueError, match=message) as error:
        read_canvases(write(tmp_path, data))
    assert str(tmp_path / CANVASES_FILE) in str(error.value)


def test_unknown_family_has_no_canvas():
    with pytest.raises(ValueError, match="no answer canvas for family 'grounding'"):
        UNIFORM.answer("grounding")


@pytest.fixture
def gen_lengths(monkeypatch):
    seen = []
    real = inference.generate_text

    def recording(model, ids, config, **kw):
        seen.append(config.gen_length)
        return real(model, ids, config, **kw)

    monkeypatch.setattr(inference, "generate_text", recording)
    return seen


def test_answer_sampler_uses_the_family_canvas_and_changes_override():
    assert inference.answer_sampler(SMALL, {}, "chart") == inference.text_sampler(48)
    assert inference.answer_sampler(SMALL, {}, None).gen_length == 48
    changed = inference.answer_sampler(SMALL, {"gen_length": 64, "threshold": 0.9}, "mcq")
    assert (changed.gen_length, changed.block_length, changed.threshold) == (64, 16, 0.9)


def test_evaluate_decodes_each_family_over_its_canvas(tiny_model, gen_lengths):
    evaluate(tiny_model, DEFAULT_TOKENIZER, ["math", "chart", "mcq"], 1, canvases=SMALL)
    assert gen_lengths == [32, 48, 16]
    gen_lengths.clear()
    evaluate(tiny_model, DEFAULT_TOKENIZER, ["math", "mcq"], 1, text={"gen_length": 64}, canvases=SMALL)
    assert gen_lengths == [64, 64]


def test_evaluate_command_reads_the_checkpoint_canvases(tiny_model, tmp_path, gen_lengths, capsys):
    save_checkpoint(tiny_model, tmp_path / "ckpt")
    write(tmp_path / "ckpt", {"math": 32, "chart": 48, "mcq": 16, "edit_plan": 8})
    main(["--checkpoint", str(tmp_path / "ckpt"), "--n", "1", "--families", "mcq,math", "--threads", "1"])
    assert gen_lengths == [16, 32]
    assert set(json.loads(capsys.readouterr().out)) == {"mcq", "math"}
