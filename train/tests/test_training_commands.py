"""The training commands as one runs them: paths in a config relative to its file (any working directory), a
clear line for a missing input, progress from the first step, device selection, declared dependencies."""

import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import torch

from lavida_r1 import progress as progress_module
from lavida_r1.config_files import TRAIN_DIR, path_fields, read_config, write_config
from lavida_r1.data.examples import DEFAULT_ANSWER_LENGTHS
from lavida_r1.devices import autocast, autocast_dtype, pick_device
from lavida_r1.progress import Progress
from lavida_r1.rl.config import RLConfig
from lavida_r1.sft.config import SFTConfig
from lavida_r1.sft.pathway_config import PathwayConfig
from lavida_r1.sft.train import main as sft_main

REPO = TRAIN_DIR.parent
CHECKPOINT = TRAIN_DIR / "checkpoints" / "lavida-r1-tiny"
CONFIGS = sorted((TRAIN_DIR / "configs").glob("*.json"))


def load(path: Path):
    kind = RLConfig if path.name.startswith("rl-") else PathwayConfig if path.name.startswith("pathway-") else SFTConfig
    return kind.from_file(path)


def tiny_config(folder: Path, **fields) -> Path:
    """A 2-step, batch-2 SFT config in `folder`, its paths relative to it."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "init_checkpoint": os.path.relpath(CHECKPOINT, folder),
        "tokenizer": os.path.relpath(CHECKPOINT / "tokenizer.json", folder),
        "mixture": {"grounding": 1.0},
        "steps": 2,
        "batch_size": 2,
        "warmup_steps": 1,
        "threads": 1,
        "log_every": 50,
        "save_every": 1,
        "out": "../runs/tiny",
        **fields,
    }
    path = folder / "tiny.json"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_committed_configs_name_the_same_files_from_any_working_directory(path, monkeypatch):
    monkeypatch.chdir(REPO)
    from_root = load(path.relative_to(REPO))
    monkeypatch.chdir(TRAIN_DIR)
    assert load(path.relative_to(TRAIN_DIR)) == from_root
    assert Path(from_root.out).parent == TRAIN_DIR / "runs"
    inputs = [getattr(from_root, name) for name in path_fields(type(from_root), ("input",))]
    assert all(Path(p).exists() or produced_by_another_committed_config(p, path) for p in inputs if p is not None)


def produced_by_another_committed_config(path: str, config: Path) -> bool:
    """Whether `path` is the training state `latest/` of another committed config's run, or its `model` or `ema`
    weights (a chain of runs: present once the earlier config has been run, never in a fresh clone)."""
    outs = {load(other).out for other in CONFIGS if other != config}
    latest = [Path(out) / "latest" for out in outs]
    return any(path in (str(state), str(state / "model"), str(state / "ema")) for state in latest)


def test_a_chained_config_keeps_its_checkpoints_and_run_folder():
    config = SFTConfig.from_file(TRAIN_DIR / "configs" / "sft-world-bootstrap.json")
    assert (config.init_checkpoint, config.vq_checkpoint, config.out) == (
        str(TRAIN_DIR / "checkpoints" / "pathway-world"),
        str(TRAIN_DIR / "checkpoints" / "vq-tiny"),
        str(TRAIN_DIR / "runs" / "world-bootstrap"),
    )


def test_paths_are_relative_to_the_config_file_and_written_back_relative_to_the_new_one(tmp_path):
    path = tmp_path / "a" / "configs" / "run.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"tokenizer": "../tok.json", "vq_checkpoint": str(tmp_path / "vq"), "out": "runs/x"}))
    config = read_config(SFTConfig, path, "SFT")
    assert (config.tokenizer, config.vq_checkpoint, config.out) == (
        str(tmp_path / "a" / "tok.json"),
        str(tmp_path / "vq"),
        str(tmp_path / "a" / "configs" / "runs" / "x"),
    )
    assert config.init_checkpoint is None
    assert SFTConfig().tokenizer == str(CHECKPOINT / "tokenizer.json")  # defaults: this package's own files
    copy = tmp_path / "b" / "config.json"
    copy.parent.mkdir()
    write_config(config, copy)
    written = json.loads(copy.read_text())
    assert (written["tokenizer"], written["out"]) == ("../a/tok.json", "../a/configs/runs/x")
    assert read_config(SFTConfig, copy, "SFT") == config


def test_a_missing_checkpoint_is_one_line_naming_the_field_and_the_resolved_path(tmp_path, capsys):
    path = tiny_config(tmp_path / "configs", init_checkpoint="../nowhere")
    with pytest.raises(SystemExit) as exit_:
        sft_main(["--config", str(path)])
    message = str(exit_.value.code)
    assert message.count("\n") == 0 and "init_checkpoint" in message
    assert f"{tmp_path / 'nowhere'} does not exist" in message
    assert not (tmp_path / "runs").exists()


def test_a_canvas_too_short_for_the_mixture_stops_before_the_first_step(tmp_path, capsys):
    lengths = {**DEFAULT_ANSWER_LENGTHS, "caption": 20}  # a seven-object name caption needs about 50
    path = tiny_config(tmp_path / "configs", mixture={"caption:names": 1.0, "read": 1.0}, answer_lengths=lengths)
    with pytest.raises(SystemExit) as exit_:
        sft_main(["--config", str(path)])
    error = capsys.readouterr().err
    assert exit_.value.code == 2 and "caption:names: a target of" in error and "canvas of 20" in error
    assert "read:" not in error and not (tmp_path / "runs").exists()


def test_device_cuda_without_cuda_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as exit_:
        sft_main(["--config", str(tiny_config(tmp_path / "configs")), "--device", "cuda"])
    assert exit_.value.code == 2 and "no CUDA device is available" in capsys.readouterr().err


def test_device_selection_and_precision(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    assert pick_device("auto") == torch.device("cuda", 0) and pick_device("cuda", 3) == torch.device("cuda", 3)
    assert pick_device("auto", 1) == torch.device("cuda", 1) and pick_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="process 4 of this node has no GPU"):  # more processes than GPUs
        pick_device("auto", 4)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device("auto", 1) == torch.device("cpu")
    with pytest.raises(ValueError):
        pick_device("cuda")
    assert autocast_dtype(torch.device("cuda", 0)) == torch.bfloat16 and autocast_dtype(torch.device("cpu")) is None
    with autocast(torch.device("cpu")):  # the CPU stays fp32
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32


def test_batches_move_to_the_device_whole():
    from lavida_r1.data.batch import collate, to_device
    from lavida_r1.data.examples import ExampleBuilder
    from lavida_r1.model import get_preset
    from lavida_r1.tokenizer import load_tokenizer
    from lavida_r1.world import generate

    config = get_preset("tiny")
    builder = ExampleBuilder(config, load_tokenizer(CHECKPOINT / "tokenizer.json", config), {"math": 64}, False, None)
    moved = to_device(
        collate([builder.build(generate("math", "train", i)) for i in range(2)], config), torch.device("meta")
    )
    tensors = [moved.prompt_ids, moved.prompt_mask, moved.answer_ids] + [i.pixel_values for i in moved.images]
    assert all(t.device.type == "meta" for t in tensors) and moved.edit_vq is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_reports_the_first_step_then_every_n_steps_or_seconds(monkeypatch):
    clock = iter(float(t) for t in [0] + list(range(1, 31)) + [0, 100, 200, 300])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    log = io.StringIO()
    progress = Progress(30, every=10, seconds=1000, stream=log)
    for step in range(1, 31):
        progress.update(step, loss=0.5, family="math")
    lines = log.getvalue().splitlines()
    assert [line.split(" |")[0] for line in lines] == ["step 1/30", "step 10/30", "step 20/30", "step 30/30"]
    assert lines[0] == "step 1/30 | loss 0.5 | family math | 1.00 s/step | 0:00:01 elapsed, ETA 0:00:29"
    timed = Progress(1000, every=500, seconds=150, stream=io.StringIO())  # clock 0, then steps at 100, 200, 300
    for step in range(1, 4):
        timed.update(step)
    assert [line.split(" |")[0] for line in timed.stream.getvalue().splitlines()] == ["step 1/1000", "step 3/1000"]


def test_progress_redraws_one_terminal_line():
    terminal = Terminal()
    progress = Progress(2, stream=terminal)
    progress.update(1, loss=1.0)
    progress.update(2, loss=0.5)
    text = terminal.getvalue()
    assert text.startswith("\rstep 1/2 | loss 1 |") and "\rstep 2/2 | loss 0.5 |" in text and text.endswith("\n")
    assert text.count("\n") == 1


def test_sft_from_the_repository_root_and_from_the_config_folder(tmp_path):
    """Real steps through the CLI: progress from step 1 whatever log_every; both working directories reach
    the same run (the second resumes the first); nothing is written to the working directory."""
    path = tiny_config(tmp_path / "configs")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "lavida_r1.sft.train", "--device", "auto"]
    stray = (REPO / "runs").exists()
    first = subprocess.run(
        [*command, "--config", os.path.relpath(path, REPO), "--until", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    assert f"sft: steps 1-1 of 2, batch 2, cpu (fp32), out {tmp_path / 'runs' / 'tiny'}" in first.stderr
    assert "step 1/1 | family grounding | loss " in first.stderr and " elapsed, ETA 0:00:00" in first.stderr
    second = subprocess.run(
        [*command, "--config", "tiny.json", "--resume"], cwd=path.parent, env=env, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr
    assert "sft: steps 2-2 of 2" in second.stderr and "step 2/2 |" in second.stderr
    rows = (tmp_path / "runs" / "tiny" / "log.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows] == ["step", "1", "2"]
    assert (REPO / "runs").exists() == stray and not (path.parent / "runs").exists()
    written = json.loads((tmp_path / "runs" / "tiny" / "config.json").read_text())
    run_copy = read_config(SFTConfig, tmp_path / "runs" / "tiny" / "config.json", "SFT")
    assert written["out"] == "." and run_copy.init_checkpoint == str(CHECKPOINT)  # wherever the clone lives


def test_declared_dependencies_are_the_requirements():
    project = tomllib.loads((TRAIN_DIR / "pyproject.toml").read_text())["project"]
    lines = (TRAIN_DIR / "requirements.txt").read_text().splitlines()
    required = sorted(line for line in lines if line and not line.startswith("#"))
    assert sorted(project["dependencies"] + project["optional-dependencies"]["test"]) == required
    assert "torch==2.13.0" in project["dependencies"]
