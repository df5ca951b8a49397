"""Training checkpoints of SFT and RL runs: model weights (our checkpoint format) + optimizer and step, swapped in
atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

from .fsutil import replace_directory, temporary_sibling
from .model import LavidaForMaskedDiffusion, load_checkpoint, save_checkpoint

LATEST = "latest"  # a run's training state, in its out folder
MODEL_DIR, EMA_DIR, STATE_FILE = "model", "ema", "train_state.pt"


def save_training_state(
    directory: Path,
    model: LavidaForMaskedDiffusion,
    optimizer: torch.optim.Optimizer,
    step: int,
    ema: LavidaForMaskedDiffusion | None = None,
    readout: torch.nn.Module | None = None,
) -> None:
    """`directory` holds model/ (and ema/, the weight average) and train_state.pt of the same step (with the
    SFT readout heads' weights when there are any), or the previous complete checkpoint."""
    tmp = temporary_sibling(directory)
    try:
        save_checkpoint(model, tmp / MODEL_DIR)
        if ema is not None:
            save_checkpoint(ema, tmp / EMA_DIR)
        state = {"step": step, "optimizer": optimizer.state_dict()}
        if readout is not None:
            state["readout"] = readout.state_dict()
        torch.save(state, tmp / STATE_FILE)
        replace_directory(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_training_state(directory: Path) -> tuple[LavidaForMaskedDiffusion, dict, int]:
    """(model, optimizer state dict, step) of a checkpoint written by save_training_state, on the CPU."""
    state = torch.load(directory / STATE_FILE, map_location="cpu", weights_only=True)
    return load_checkpoint(directory / MODEL_DIR), state["optimizer"], state["step"]


def saved_step(directory: Path) -> int:
    """The step of a checkpoint written by save_training_state."""
    return torch.load(directory / STATE_FILE, map_location="cpu", weights_only=True)["step"]


def load_weight_average(directory: Path) -> LavidaForMaskedDiffusion | None:
    return load_checkpoint(directory / EMA_DIR) if (directory / EMA_DIR).exists() else None


def load_readout(directory: Path, readout: torch.nn.Module) -> None:
    state = torch.load(directory / STATE_FILE, map_location="cpu", weights_only=True)
    if "readout" not in state:
        raise ValueError(f"{directory} was saved without readout heads; resume with the readout weights at 0")
    readout.load_state_dict(state["readout"])


OBJECT_READOUT_PREFIX = "objects."  # where the object readout sits in a saved readout (`sft.readouts.Readouts`)
GLYPH_READOUT_PREFIX = "glyphs."  # the glyph readout's (`sft.readouts.Readouts`, `sft.pathway`)
PLACE_HEADS = ("box.", "place.")  # the object readout's newest heads: states saved before them keep fresh ones


def _saved_heads(directory: Path, prefix: str, name: str) -> dict[str, torch.Tensor]:
    state = torch.load(directory / STATE_FILE, map_location="cpu", weights_only=True).get("readout", {})
    heads = {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}
    if not heads:
        raise ValueError(f"{directory} holds no {name} readout heads")
    return heads


def load_object_readout(directory: Path, readout: torch.nn.Module) -> None:
    """The object readout heads of a training state (an SFT run's or a pathway pretraining's) into `readout`; a
    state saved before the box and place heads existed leaves `readout`'s as they are."""
    heads = _saved_heads(directory, OBJECT_READOUT_PREFIX, "object")
    missing, unexpected = readout.load_state_dict(heads, strict=False)
    if unexpected or any(not key.startswith(PLACE_HEADS) for key in missing):
        raise ValueError(f"{directory}: object readout heads do not match (missing {missing}, unexpected {unexpected})")


def load_glyph_readout(directory: Path, readout: torch.nn.Module) -> None:
    """The glyph readout heads of a training state (a pathway pretraining's or an SFT run's) into `readout`."""
    readout.load_state_dict(_saved_heads(directory, GLYPH_READOUT_PREFIX, "glyph"))
