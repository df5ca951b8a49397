"""RL runs end to end on the committed tiny checkpoint: a killed run resumes bit-identically, and a 2-process
torchrun (gloo) run matches the 1-process run."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safetensors.torch import load_file

TRAIN = Path(__file__).resolve().parents[1]
CHECKPOINT = TRAIN / "checkpoints" / "lavida-r1-tiny"


def write_config(tmp: Path, name: str, **overrides) -> Path:
    config = {
        "init_checkpoint": str(CHECKPOINT),
        "tokenizer": str(CHECKPOINT / "tokenizer.json"),
        "mixture": {"grounding": 1, "mcq": 1},
        "prompts_per_step": 2,
        "group_size": 3,
        "sft_per_step": 2,
        "answer_forcing": 0.5,
        "steps": 4,
        "threads": 1,
        "save_every": 1,
        "out": str(tmp / name),
        **overrides,
    }
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(config))
    return path


def command(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "lavida_r1.rl.train", "--config", str(config), *extra]


def environment() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def log(out: Path) -> list[dict]:
    with (out / "log.csv").open() as f:
        return list(csv.DictReader(f))


def weights(out: Path) -> dict:
    return load_file(out / "latest" / "model" / "model.safetensors")


def test_a_killed_run_resumes_bit_identically(tmp_path):
    straight = write_config(tmp_path, "straight")
    subprocess.run(command(straight), check=True, env=environment(), cwd=TRAIN, capture_output=True)
    killed = write_config(tmp_path, "killed")
    process = subprocess.Popen(command(killed), env=environment(), cwd=TRAIN, stderr=subprocess.DEVNULL)
    state = tmp_path / "killed" / "latest" / "train_state.pt"
    deadline = time.monotonic() + 120
    while not state.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    subprocess.run(command(killed, "--resume"), check=True, env=environment(), cwd=TRAIN, capture_output=True)
    a, b = weights(tmp_path / "straight"), weights(tmp_path / "killed")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    untimed = lambda rows: [{k: v for k, v in row.items() if k != "seconds"} for row in rows]
    assert untimed(log(tmp_path / "killed")) == untimed(log(tmp_path / "straight"))


def test_two_torchrun_processes_match_one(tmp_path):
    single = write_config(tmp_path, "single", steps=2)
    subprocess.run(command(single), check=True, env=environment(), cwd=TRAIN, capture_output=True)
    double = write_config(tmp_path, "double", steps=2)
    torchrun = Path(sys.executable).with_name("torchrun")
    subprocess.run(
        [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "lavida_r1.rl.train", "--config", str(double)],
        check=True,
        env=environment(),
        cwd=TRAIN,
        capture_output=True,
    )
    one, two = log(tmp_path / "single"), log(tmp_path / "double")
    assert len(one) == len(two) == 2
    for a, b in zip(one, two):
        assert a["family"] == b["family"] and a["reward"] == b["reward"] and a["forced"] == b["forced"]
        assert float(b["loss"]) == pytest.approx(float(a["loss"]), rel=1e-4, abs=1e-6)
        assert float(b["grad_norm"]) == pytest.approx(float(a["grad_norm"]), rel=1e-3)
    wa, wb = weights(tmp_path / "single"), weights(tmp_path / "double")
    assert max((wa[k] - wb[k]).abs().max().item() for k in wa) < 1e-4
