"""SFT: the loss learns, masks cover the answer once, and resuming reproduces an uninterrupted run exactly."""

import csv
import json

import pytest
import torch
from test_tokenizer import COMMITTED

from lavida_r1.data.batch import collate
from lavida_r1.data.examples import ExampleBuilder
from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.prompts import vq_slots
from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.init import initialize
from lavida_r1.sft.loop import run
from lavida_r1.sft.loss import sft_loss
from lavida_r1.sft.schedule import step_samples
from lavida_r1.tokenizer import load_tokenizer
from lavida_r1.world import generate


def fresh_model():
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    initialize(model, 0.02)
    return model


def builder(model):
    lengths = {"math": 64, "chart": 80, "mcq": 48, "edit": 64}
    return ExampleBuilder(model.config, load_tokenizer(COMMITTED, model.config), lengths, False, model.model.vqvae)


def test_examples_follow_the_layouts():
    model = fresh_model()
    c = model.config
    make = builder(model).build
    vqa = make(generate("math", "train", 0))
    assert len(vqa.answer_ids) == 64 and c.eot_token_id in vqa.answer_ids and vqa.answer_ids[-1] == c.eos_token_id
    box = make(generate("grounding", "train", 0))
    assert box.answer_ids[0] == c.loc_begin_id and box.answer_ids[-2:] == [c.loc_end_id, c.eot_token_id]
    edit = make(generate("edit", "train", 0))
    assert edit.answer_ids.count(c.gen_token_id) == vq_slots(c) and edit.prompt_ids.count(c.edit_token_id) == vq_slots(
        c
    )
    assert edit.target_vq.shape == (c.vq.grid_size, c.vq.grid_size) and not torch.equal(edit.edit_vq, edit.target_vq)


def test_steps_on_a_fixed_batch_lower_the_loss():
    model = fresh_model().train()
    make = builder(model).build
    batch = collate([make(generate("edit", "train", i)) for i in range(4)], model.config)
    params = [p for n, p in model.named_parameters() if not n.startswith("model.vqvae.")]
    optimizer = torch.optim.AdamW(params, lr=3e-3)
    losses = []
    for _ in range(8):
        parts = sft_loss(model, batch, torch.Generator().manual_seed(0))
        optimizer.zero_grad()
        parts.total.backward()
        optimizer.step()
        losses.append((parts.text.item(), parts.image.item()))
    assert losses[-1][0] < losses[0][0] - 0.5 and losses[-1][1] < losses[0][1] - 0.1


def test_loss_counts_every_answer_token_once():
    """With a model predicting a uniform distribution, each counted token costs log(V) exactly, so the mean
    text loss equals log(vocab) only if every answer token is predicted exactly once across the pair."""
    model = fresh_model()
    with torch.no_grad():
        model.model.transformer.ff_out.weight.zero_()
        model.model.gen_predictor[2].weight.zero_()
        model.model.gen_predictor[2].bias.zero_()
    make = builder(model).build
    batch = collate([make(generate("edit", "train", i)) for i in range(3)], model.config)
    parts = sft_loss(model, batch, torch.Generator().manual_seed(1))
    assert abs(parts.text.item() - torch.log(torch.tensor(float(model.config.embedding_size))).item()) < 1e-4
    assert abs(parts.image.item() - torch.log(torch.tensor(float(model.config.vq.num_vq_embeddings))).item()) < 1e-4


def test_changed_cells_weigh_the_image_loss():
    """Under a uniform prediction every VQ token costs log(K): the weighted image loss is log(K) times the mean
    weight, and the weight falls exactly on the cells whose target code differs from the source's."""
    model = fresh_model()
    with torch.no_grad():
        model.model.gen_predictor[2].weight.zero_()
        model.model.gen_predictor[2].bias.zero_()
    make = builder(model).build
    batch = collate([make(generate("edit", "train", i)) for i in range(3)], model.config)
    changed = (batch.target_vq != batch.edit_vq).float().mean().item()
    assert 0 < changed < 1
    log_k = torch.log(torch.tensor(float(model.config.vq.num_vq_embeddings))).item()
    for weight in (1.0, 4.0):
        parts = sft_loss(model, batch, torch.Generator().manual_seed(1), changed_weight=weight)
        assert abs(parts.image.item() - log_k * (1 + (weight - 1) * changed)) < 1e-4


def test_step_data_is_a_function_of_seed_and_step():
    mixture = {"math": 1.0, "grounding": 1.0}
    a = step_samples(3, 17, 4, mixture)
    b = step_samples(3, 17, 4, mixture)
    assert [s.id for s in a] == [s.id for s in b] and len({s.family for s in a}) == 1
    assert [s.id for s in step_samples(3, 18, 4, mixture)] != [s.id for s in a]


def losses(path):
    with path.open() as f:
        return [row["loss"] for row in csv.DictReader(f)]


def test_resume_continues_exactly(tmp_path):
    base = dict(
        mixture={"math": 1.0, "grounding": 1.0},
        steps=4,
        batch_size=2,
        warmup_steps=2,
        save_every=100,
        log_every=100,
        threads=1,
        tokenizer=str(COMMITTED),
    )
    whole = SFTConfig(**base, out=str(tmp_path / "whole"))
    run(whole, resume=False)
    parts = SFTConfig(**base, out=str(tmp_path / "parts"))
    run(parts, resume=False, until=2)
    assert len(losses(tmp_path / "parts" / "log.csv")) == 2
    run(parts, resume=True)
    assert losses(tmp_path / "parts" / "log.csv") == losses(tmp_path / "whole" / "log.csv")
    state = lambda name: torch.load(tmp_path / name / "latest" / "train_state.pt", weights_only=True)["step"]
    assert state("parts") == state("whole") == 4
    assert json.loads((tmp_path / "parts" / "config.json").read_text())["steps"] == 4


def test_resume_with_a_curriculum_weight_average_readouts_and_monitors_continues_exactly(tmp_path):
    from lavida_r1.model import load_checkpoint

    base = dict(
        curriculum=[{"until": 2, "mixture": {"caption": 1.0}}],
        mixture={"locate": 1.0, "math": 1.0},
        steps=4,
        batch_size=2,
        warmup_steps=2,
        save_every=100,
        log_every=100,
        threads=1,
        tokenizer=str(COMMITTED),
        ema_decay=0.9,
        monitor_every=2,
        view_readout_weight=1.0,
        object_readout_weight=0.5,
    )
    run(SFTConfig(**base, out=str(tmp_path / "whole")), resume=False)
    parts = SFTConfig(**base, out=str(tmp_path / "parts"))
    run(parts, resume=False, until=3)
    run(parts, resume=True)
    assert losses(tmp_path / "parts" / "log.csv") == losses(tmp_path / "whole" / "log.csv")
    with (tmp_path / "whole" / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert (
        [r["family"] for r in rows[:2]] == ["caption", "caption"]
        and rows[1]["norm_ratio"]
        and not rows[0]["norm_ratio"]
    )
    assert all(float(r["readout_loss"]) > 0 for r in rows)
    weights = lambda run_dir, kind: load_checkpoint(tmp_path / run_dir / "latest" / kind).state_dict()
    whole, parts_ema, live = weights("whole", "ema"), weights("parts", "ema"), weights("whole", "model")
    assert all(torch.equal(whole[k], parts_ema[k]) for k in whole)
    assert not torch.equal(whole["model.transformer.wte.weight"], live["model.transformer.wte.weight"])


def test_loc_targets_reward_near_misses_and_leave_text_tokens_alone():
    from lavida_r1.sft.loc_targets import loc_aware_cross_entropy

    c = get_preset("tiny")
    target = torch.tensor([c.loc_token(500), 7])

    def peaked_at(loc_bin):
        logits = torch.zeros(2, c.vocab_size)
        logits[0, c.loc_token(loc_bin)] = 8.0
        logits[1, 7] = 8.0
        return logits

    near, far = (loc_aware_cross_entropy(peaked_at(b), target, c, sigma=16) for b in (510, 900))
    assert near < far
    exact = torch.nn.functional.cross_entropy(peaked_at(510), target, reduction="sum")
    assert torch.allclose(loc_aware_cross_entropy(peaked_at(510), target, c, sigma=0), exact)
    # a one-hot LOC miss by 10 bins costs as much as a miss by 400; the soft target tells them apart
    assert torch.allclose(torch.nn.functional.cross_entropy(peaked_at(900), target, reduction="sum"), exact)


def test_publish_assembles_a_checkpoint_folder_from_a_run(tmp_path):
    from lavida_r1.model import load_checkpoint
    from lavida_r1.model.canvases import read_canvases
    from lavida_r1.sft.publish import main

    config = SFTConfig(
        mixture={"math": 1.0},
        steps=1,
        batch_size=2,
        warmup_steps=1,
        threads=1,
        ema_decay=0.5,
        tokenizer=str(COMMITTED),
        out=str(tmp_path / "run"),
        answer_lengths={"math": 60, "chart": 80, "mcq": 40, "edit": 72},
    )
    run(config, resume=False)
    out = tmp_path / "checkpoint"
    out.mkdir()
    (out / "provenance.json").write_text('{"kept": true}')
    (out / "stale.bin").write_text("old")
    log = tmp_path / "run" / "log.csv"
    with log.open("a") as f:  # a step logged after the last save, as when a run is stopped between saves
        f.write("2" + "," * (log.read_text().splitlines()[0].count(",")) + "\n")
    main(["--run", str(tmp_path / "run"), "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == [
        "canvases.json",
        "config.json",
        "model.safetensors",
        "provenance.json",
        "sft-config.json",
        "sft-log.csv",
    ]  # no tokenizer.json: the run's is lavida-r1-tiny's, the default of every folder without one
    # VQA canvases: the trained lengths rounded up to whole 16-token decoding blocks; the edit plan as trained
    canvases = read_canvases(out)
    assert (canvases.math, canvases.chart, canvases.mcq, canvases.edit_plan) == (64, 80, 48, 72)
    assert (out / "provenance.json").read_text() == '{"kept": true}'
    assert SFTConfig.from_file(out / "sft-config.json") == SFTConfig.from_file(tmp_path / "run" / "config.json")
    assert [line.split(",")[0] for line in (out / "sft-log.csv").read_text().splitlines()] == ["step", "1"]
    published = load_checkpoint(out).state_dict()
    ema = load_checkpoint(tmp_path / "run" / "latest" / "ema").state_dict()
    assert all(torch.equal(published[k], ema[k]) for k in ema)
    main(["--run", str(tmp_path / "run"), "--out", str(tmp_path / "half"), "--storage", "float16"])
    half = load_checkpoint(tmp_path / "half").state_dict()
    assert all(half[k].dtype == ema[k].dtype and torch.equal(half[k], ema[k].half().to(ema[k].dtype)) for k in ema)
    # a run trained with its own tokenizer publishes it beside the weights
    own = tmp_path / "own-tokenizer.json"
    own.write_bytes(COMMITTED.read_bytes())
    run_config = json.loads((tmp_path / "run" / "config.json").read_text())
    (tmp_path / "run" / "config.json").write_text(json.dumps({**run_config, "tokenizer": str(own)}))
    main(["--run", str(tmp_path / "run"), "--out", str(tmp_path / "own")])
    assert (tmp_path / "own" / "tokenizer.json").read_bytes() == own.read_bytes()


def test_config_rejects_a_non_positive_changed_weight():
    with pytest.raises(ValueError, match="edit_changed_weight"):
        SFTConfig(mixture={"math": 1.0}, edit_changed_weight=0.0).validate()
