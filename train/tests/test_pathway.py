"""Pathway pretraining (`lavida_r1.sft.pathway`): it trains the image pathway and the object (and glyph) readout
alone, resumes exactly, and an SFT run starts from its model and readout heads."""

import csv
import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_tokenizer import COMMITTED

from lavida_r1.model import load_checkpoint, save_checkpoint
from lavida_r1.model.canvases import Canvases, read_canvases
from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.glyph_readout import GlyphReadout
from lavida_r1.sft.loop import run as run_sft
from lavida_r1.sft.object_readout import ObjectReadout
from lavida_r1.sft.optimizer import VISION
from lavida_r1.sft.pathway import initial_pathway, run, scene_images
from lavida_r1.sft.pathway_config import PathwayConfig
from lavida_r1.sft.publish import main as publish_main
from lavida_r1.training_state import load_glyph_readout, load_object_readout


def small(out: Path, **changes) -> PathwayConfig:
    config = PathwayConfig(
        steps=4, batch_size=2, warmup_steps=1, eval_every=2, eval_images=2, save_every=2, threads=1, out=str(out)
    )
    return replace(config, **changes)


def log(out: Path) -> list[dict[str, str]]:
    with (out / "log.csv").open() as f:
        return list(csv.DictReader(f))


def heads(directory: Path) -> ObjectReadout:
    readout = ObjectReadout(load_checkpoint(directory / "model").config)
    load_object_readout(directory, readout)
    return readout


def sft_from(latest: Path, out: Path, **changes) -> SFTConfig:
    """One SFT step of 2 rows from a pathway run's model and object heads."""
    config = SFTConfig(
        init_checkpoint=str(latest / "model"),
        init_object_readout=str(latest),
        steps=1,
        batch_size=2,
        warmup_steps=1,
        threads=1,
        tokenizer=str(COMMITTED),
        object_readout_weight=1.0,
        out=str(out),
    )
    return replace(config, **changes)


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pathway") / "run"
    run(small(out))
    return out


def test_only_the_image_pathway_and_the_readout_change(whole_run):
    initial, _, no_glyphs = initial_pathway(small(whole_run))
    assert no_glyphs is None
    trained = load_checkpoint(whole_run / "latest" / "model").state_dict()
    moved = {name for name, before in initial.state_dict().items() if not torch.equal(before, trained[name])}
    views, _ = scene_images(initial.config, "train", ["shape_of"], 0, 1)
    initial.encode_views(views).sum().backward()
    reached = {name for name, p in initial.named_parameters() if p.grad is not None}
    assert reached and all(name.startswith(VISION) for name in reached)
    assert moved == reached
    rows = log(whole_run)
    assert [r["step"] for r in rows] == ["1", "2", "3", "4"]
    assert [bool(r["shape_right"]) for r in rows] == [False, True, False, True]


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(whole_run, tmp_path):
    out = tmp_path / "run"
    run(small(out), until=2)
    run(small(out), resume=True)
    assert [r["loss"] for r in log(out)] == [r["loss"] for r in log(whole_run)]
    resumed = load_checkpoint(out / "latest" / "model").state_dict()
    for name, tensor in load_checkpoint(whole_run / "latest" / "model").state_dict().items():
        assert torch.equal(tensor, resumed[name]), name
    for a, b in zip(heads(whole_run / "latest").parameters(), heads(out / "latest").parameters()):
        assert torch.equal(a, b)


def test_training_the_pathway_lowers_the_readout_loss(tmp_path):
    out = tmp_path / "run"
    run(small(out, steps=40, eval_every=40, lr=3e-3))
    losses = [float(r["loss"]) for r in log(out)]
    assert sum(losses[-10:]) < 0.8 * sum(losses[:10])


def test_an_sft_run_starts_from_the_pathway_model_and_its_readout_heads(whole_run, tmp_path):
    latest = whole_run / "latest"
    config = sft_from(latest, tmp_path / "sft", mixture={"name:shape_of_few": 1.0}, answer_lengths={"name": 8})
    run_sft(config, resume=False)
    started = heads(latest).state_dict()
    after = torch.load(tmp_path / "sft" / "latest" / "train_state.pt", weights_only=True)["readout"]
    assert {f"objects.{k}" for k in started} == set(after)
    # one step of AdamW moves every head weight by about the learning rate, far less than a fresh init differs
    assert all((after[f"objects.{k}"] - v).abs().max() < 0.01 for k, v in started.items())
    with pytest.raises(ValueError, match="object_readout_weight"):
        replace(config, object_readout_weight=0.0).validate()


def test_heads_saved_before_the_place_heads_load_and_keep_fresh_ones(whole_run, tmp_path):
    """A run saved with colour and shape heads only (before boxes and places) starts another: those two load, the
    box and place heads stay as initialised; a head nobody knows is refused."""
    state = torch.load(whole_run / "latest" / "train_state.pt", weights_only=True)
    old = {k: v for k, v in state["readout"].items() if not k.startswith(("objects.box.", "objects.place."))}
    for name, readout in [("old", old), ("odd", {**old, "objects.size.weight": torch.zeros(1)})]:
        (tmp_path / name).mkdir()
        torch.save({**state, "readout": readout}, tmp_path / name / "train_state.pt")
    saved = heads(whole_run / "latest")
    fresh = ObjectReadout(load_checkpoint(whole_run / "latest" / "model").config)
    kept = {k: v.clone() for k, v in fresh.state_dict().items()}
    load_object_readout(tmp_path / "old", fresh)
    for key, value in fresh.state_dict().items():
        expected = kept[key] if key.startswith(("box.", "place.")) else saved.state_dict()[key]
        assert torch.equal(value, expected), key
    with pytest.raises(ValueError, match="do not match"):
        load_object_readout(tmp_path / "odd", fresh)


def test_a_pathway_run_can_start_from_another_runs_model_and_heads(whole_run):
    latest = whole_run / "latest"
    model, readout, _ = initial_pathway(
        small(whole_run, init_checkpoint=str(latest / "model"), init_object_readout=str(latest))
    )
    saved = load_checkpoint(latest / "model").state_dict()
    assert all(torch.equal(tensor, saved[name]) for name, tensor in model.state_dict().items())
    assert all(torch.equal(a, b) for a, b in zip(readout.parameters(), heads(latest).parameters()))


TEXT = {"text_kinds": ["read:large", "chart"], "glyph_readout_weight": 1.0}


@pytest.fixture(scope="module")
def text_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pathway-text") / "run"
    run(small(out, **TEXT))
    return out


def test_a_run_with_text_images_trains_resumes_and_hands_on_the_glyph_readout(whole_run, text_run, tmp_path):
    whole, resumed = text_run, tmp_path / "resumed"
    run(small(resumed, **TEXT), until=2)
    run(small(resumed, **TEXT), resume=True)
    rows = log(whole)
    assert [r["loss"] for r in log(resumed)] == [r["loss"] for r in rows]
    assert [bool(r["glyph_right"]) for r in rows] == [False, True, False, True]
    saved = []
    for out in (whole, resumed):
        glyphs = GlyphReadout(load_checkpoint(out / "latest" / "model").config)
        load_glyph_readout(out / "latest", glyphs)
        saved.append(glyphs.state_dict())
    assert all(torch.equal(saved[0][k], saved[1][k]) for k in saved[0])
    _, _, started = initial_pathway(small(tmp_path / "next", **TEXT, init_glyph_readout=str(whole / "latest")))
    assert all(torch.equal(started.state_dict()[k], saved[0][k]) for k in saved[0])
    with pytest.raises(ValueError, match="no glyph readout heads"):
        load_glyph_readout(whole_run / "latest", glyphs)


def test_an_sft_run_starts_from_the_pathway_glyph_readout_and_trains_it_on_text(text_run, tmp_path):
    latest = text_run / "latest"
    config = sft_from(
        latest, tmp_path / "sft", mixture={"read:large": 1.0}, init_glyph_readout=str(latest), glyph_readout_weight=1.0
    )
    run_sft(config, resume=False)
    glyphs = GlyphReadout(load_checkpoint(latest / "model").config)
    load_glyph_readout(latest, glyphs)
    after = torch.load(tmp_path / "sft" / "latest" / "train_state.pt", weights_only=True)["readout"]
    moved = [(after[f"glyphs.{k}"] - v).abs().max() for k, v in glyphs.state_dict().items()]
    assert 0 < max(moved) < 0.01  # trained one step from the pathway's heads
    assert float(log(tmp_path / "sft")[0]["readout_loss"]) > 0
    with pytest.raises(ValueError, match="init_glyph_readout"):
        replace(config, glyph_readout_weight=0.0).validate()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"text_kinds": ["read:large"]}, "both or neither"),
        ({"glyph_readout_weight": 1.0}, "both or neither"),
        ({"text_kinds": ["read:tiny"], "glyph_readout_weight": 1.0}, "unknown kind"),
        ({"init_glyph_readout": "somewhere"}, "needs text_kinds"),
    ],
)
def test_glyph_settings_that_do_not_fit_are_refused(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        small(tmp_path, **changes).validate()


def test_a_published_pathway_stores_its_pathway_over_its_start_and_an_sft_run_starts_from_the_folder(tmp_path):
    base = tmp_path / "checkpoints" / "start"
    initial, _, _ = initial_pathway(small(tmp_path))
    save_checkpoint(initial, base, storage_dtype=torch.float16)
    (base / "canvases.json").write_text(json.dumps(asdict(Canvases(math=64, chart=80, mcq=48, edit_plan=80))))
    out = tmp_path / "runs" / "pathway"
    run(small(out, init_checkpoint=str(base), **TEXT))
    stage = tmp_path / "checkpoints" / "stage"
    publish_main(["--run", str(out), "--out", str(stage), "--storage", "float16"])
    assert sorted(p.name for p in stage.iterdir()) == [
        "canvases.json",
        "config.json",
        "model.safetensors",
        "pathway-config.json",
        "pathway-log.csv",
        "train_state.pt",
    ]
    assert read_canvases(stage) == read_canvases(base)
    stored = load_file(stage / "model.safetensors")
    assert stored and all(name.startswith(VISION) for name in stored)
    trained = load_checkpoint(out / "latest" / "model").state_dict()
    loaded = load_checkpoint(stage).state_dict()
    assert all(torch.equal(v, trained[k].half().float()) for k, v in loaded.items())
    readouts = [torch.load(d / "train_state.pt", weights_only=True)["readout"] for d in (stage, out / "latest")]
    assert readouts[0].keys() == readouts[1].keys()
    assert all(torch.equal(v, readouts[1][k]) for k, v in readouts[0].items())
    sft = tmp_path / "runs" / "sft"
    config = sft_from(out / "latest", sft, mixture={"read:large": 1.0}, glyph_readout_weight=1.0)
    run_sft(
        replace(config, init_checkpoint=str(stage), init_object_readout=str(stage), init_glyph_readout=str(stage)),
        resume=False,
    )
    assert (sft / "latest" / "model").exists()
    # the SFT run published keeps its readout heads (not the optimizer), so the next stage can start from its folder
    published = tmp_path / "checkpoints" / "sft-stage"
    publish_main(["--run", str(sft), "--out", str(published), "--weights", "model"])
    kept, trained_state = (torch.load(d / "train_state.pt", weights_only=True) for d in (published, sft / "latest"))
    assert set(kept) == {"step", "readout"} and kept["readout"].keys() == trained_state["readout"].keys()
    assert all(torch.equal(v, trained_state["readout"][k]) for k, v in kept["readout"].items())
    # a pathway started from a run's state is published only once that run is: the folder must not need a run
    run(small(tmp_path / "runs" / "again", init_checkpoint=str(out / "latest" / "model"), steps=1))
    with pytest.raises(ValueError, match="publish that run first"):
        publish_main(["--run", str(tmp_path / "runs" / "again"), "--out", str(tmp_path / "checkpoints" / "x")])
