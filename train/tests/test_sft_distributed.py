"""SFT data parallelism: the shares of a batch add up to the whole batch (losses and gradients), and a 2-process
torchrun (gloo) run matches a 1-process run."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_sft import builder, fresh_model

from lavida_r1.data.batch import collate
from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.loop import run
from lavida_r1.sft.loss import pair_masks, sft_loss
from lavida_r1.sft.share import Share
from lavida_r1.world import generate

TRAIN = Path(__file__).resolve().parents[1]
CHECKPOINTS = TRAIN / "checkpoints"


def test_a_share_keeps_its_rows_of_the_whole_batch_masks():
    slots = torch.rand(5, 12, generator=torch.Generator().manual_seed(0)) < 0.8
    whole = pair_masks(slots, torch.Generator().manual_seed(7))
    share = pair_masks(slots[[1, 3]], torch.Generator().manual_seed(7), Share([1, 3], 5))
    assert torch.equal(share, whole[:, [1, 3]])
    assert torch.equal(whole.sum(0), slots.long())  # each taking part position masked exactly once


@pytest.mark.parametrize("family", ["edit", "grounding"])
def test_the_shares_losses_and_gradients_add_up_to_the_whole_batch(family):
    model = fresh_model().train()
    examples = [builder(model).build(generate(family, "train", i)) for i in range(3)]
    params = [p for p in model.parameters() if p.requires_grad]

    def loss_and_grads(rows, share):
        model.zero_grad()
        batch = collate([examples[i] for i in rows], model.config)
        loss = sft_loss(model, batch, torch.Generator().manual_seed(5), 16.0, share=share).total
        loss.backward()
        return loss.item(), [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in params]

    text = lambda rows: sum(
        int((collate([examples[i]], model.config).answer_ids != model.config.gen_token_id).sum()) for i in rows
    )
    whole_loss, whole_grads = loss_and_grads([0, 1, 2], None)
    parts = [loss_and_grads(rows, Share(rows, 3, text(rows) / text([0, 1, 2]))) for rows in ([0, 2], [1])]
    assert parts[0][0] + parts[1][0] == pytest.approx(whole_loss, rel=1e-5)
    for whole, a, b in zip(whole_grads, parts[0][1], parts[1][1]):
        assert torch.allclose(a + b, whole, rtol=1e-4, atol=1e-7)


def rows(out: Path) -> list[dict]:
    with (out / "log.csv").open() as f:
        return list(csv.DictReader(f))


def test_two_torchrun_processes_match_one(tmp_path):
    """Batch 3 over 2 processes (unequal shares), an edit step, a grounding step with soft LOC targets and a
    multiple-choice step (scenes and text panels), the view, object and glyph readouts and a weight average; the
    2-process run pauses after step 1 and resumes under torchrun."""
    config = {
        "init_checkpoint": str(CHECKPOINTS / "lavida-r1-tiny"),
        "vq_checkpoint": str(CHECKPOINTS / "vq-tiny"),
        "tokenizer": str(CHECKPOINTS / "lavida-r1-tiny" / "tokenizer.json"),
        "curriculum": [{"until": 1, "mixture": {"edit": 1.0}}, {"until": 2, "mixture": {"grounding": 1.0}}],
        "mixture": {"mcq": 1.0},
        "loc_sigma": 16,
        "view_readout_weight": 0.5,
        "object_readout_weight": 0.5,
        "glyph_readout_weight": 0.5,
        "ema_decay": 0.9,
        "steps": 3,
        "batch_size": 3,
        "warmup_steps": 1,
        "threads": 1,
        "save_every": 1,
    }
    run(SFTConfig(**config, out=str(tmp_path / "single")), resume=False)
    path = tmp_path / "double.json"
    path.write_text(json.dumps({**config, "out": "double"}))
    torchrun = [str(Path(sys.executable).with_name("torchrun")), "--standalone", "--nproc_per_node", "2"]
    legs = [
        subprocess.run(
            [*torchrun, "-m", "lavida_r1.sft.train", "--config", str(path), "--device", "cpu", *extra],
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            cwd=TRAIN,
            capture_output=True,
            text=True,
        )
        for extra in (["--until", "1"], ["--resume"])
    ]
    for leg in legs:
        assert leg.returncode == 0, leg.stderr
    first, second = (leg.stderr for leg in legs)
    assert "steps 1-1 of 3, batch 3, 2 processes on cpu (fp32)" in first and "steps 2-3 of 3" in second
    assert second.count("step 3/3 |") == 1  # one process logs
    assert sorted(p.name for p in (tmp_path / "double").iterdir()) == ["config.json", "latest", "log.csv"]
    one, two = rows(tmp_path / "single"), rows(tmp_path / "double")
    assert [r["family"] for r in one] == [r["family"] for r in two] == ["edit", "grounding", "mcq"]
    for a, b in zip(one, two):
        for column in ("loss", "text_loss", "image_loss", "readout_loss", "grad_norm"):
            assert (a[column] == "") == (b[column] == "")
            if a[column]:
                assert float(b[column]) == pytest.approx(float(a[column]), rel=1e-4, abs=1e-6), column
    for kind in ("model", "ema"):
        wa = load_file(tmp_path / "single" / "latest" / kind / "model.safetensors")
        wb = load_file(tmp_path / "double" / "latest" / kind / "model.safetensors")
        assert max((wa[k] - wb[k]).abs().max().item() for k in wa) < 1e-4
