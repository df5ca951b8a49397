"""Publish an SFT or pathway run's weights as a checkpoint folder the rest of the pipeline uses.

    python -m lavida_r1.sft.publish --run runs/sft-tiny --out checkpoints/lavida-r1-tiny [--weights ema|model]
        [--storage float16]

An SFT run's folder gets the weights (`latest/ema`, the weight average, by default), the run's tokenizer (unless
it is lavida-r1-tiny's, which every folder without its own falls back to: only lavida-r1-tiny's folder holds it),
canvases.json (the trained answer lengths), the run's config and log as sft-config.json and sft-log.csv (so every
figure drawn from the log can be checked; the log only through the published step, since a stopped run logs past
its last save), the readout heads in train_state.pt when the run trained any (so a later SFT config's
`init_object_readout` and `init_glyph_readout` can name the folder), and keeps the provenance.json already there.

A pathway run (`sft/pathway.py`, no weight average) trains the image pathway alone: its folder stores only the
tensors that differ from the checkpoint the run started from (`save_checkpoint`'s `base`; about a tenth of the
model), takes that checkpoint's canvases (not its tokenizer: tiny's stages share `lavida-r1-tiny/tokenizer.json`,
the default wherever a folder has none), and keeps the readout heads in train_state.pt as a
training state holds them (without the optimizer), so an SFT config's `init_checkpoint`, `init_object_readout`
and `init_glyph_readout` can all name the folder; config and log as pathway-config.json and pathway-log.csv.

`--storage float16` halves the weights file (the model still loads and computes in float32; see
`model/checkpoint.py`). The folder is assembled next to `--out` and renamed into place, so readers never see a
half-published checkpoint.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch

from ..config_files import write_config
from ..fsutil import replace_directory, temporary_sibling
from ..model import load_checkpoint, save_checkpoint
from ..model.canvases import BLOCK_LENGTH, CANVASES_FILE, Canvases
from ..progress import copy_log_through
from ..tokenizer import DEFAULT_TOKENIZER
from ..training_state import EMA_DIR, MODEL_DIR, STATE_FILE, saved_step
from .config import SFTConfig
from .pathway_config import PathwayConfig

KEPT = ("provenance.json",)


def canvases_of(config: SFTConfig) -> Canvases:
    """The trained answer lengths; the VQA ones rounded up to whole decoding blocks (the positions added at the
    end are EOS padding, which the model fills every canvas's tail with)."""
    lengths = config.answer_lengths
    blocks = lambda family: -(-lengths[family] // BLOCK_LENGTH) * BLOCK_LENGTH
    return Canvases(math=blocks("math"), chart=blocks("chart"), mcq=blocks("mcq"), edit_plan=lengths["edit"])


def assemble(out: Path, fill: Callable[[Path], None]) -> None:
    """`fill` writes the folder's files into a temporary sibling; kept files are carried over; then renamed."""
    tmp = temporary_sibling(out)
    try:
        fill(tmp)
        for name in KEPT:
            if (out / name).exists():
                shutil.copyfile(out / name, tmp / name)
        replace_directory(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def save_readouts(state: dict, folder: Path) -> None:
    """A run's readout heads as a training state holds them, without the optimizer's moments."""
    torch.save({"step": state["step"], "readout": state["readout"]}, folder / STATE_FILE)


def publish(run: Path, out: Path, weights: str = "ema", storage_dtype: torch.dtype | None = None) -> None:
    config = SFTConfig.from_file(run / "config.json")
    latest = run / "latest"
    source = latest / (EMA_DIR if weights == "ema" else MODEL_DIR)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist (is ema_decay set in the run's config?)")
    state = torch.load(latest / STATE_FILE, map_location="cpu", weights_only=True)

    def fill(tmp: Path) -> None:
        save_checkpoint(load_checkpoint(source), tmp, storage_dtype)  # replaces the empty tmp folder with the weights
        if Path(config.tokenizer).resolve() != DEFAULT_TOKENIZER or out.resolve() == DEFAULT_TOKENIZER.parent:
            shutil.copyfile(config.tokenizer, tmp / "tokenizer.json")
        (tmp / CANVASES_FILE).write_text(json.dumps(asdict(canvases_of(config)), indent=2) + "\n")
        write_config(config, tmp / "sft-config.json")  # its paths relative to the checkpoint folder (a sibling)
        copy_log_through(run / "log.csv", tmp / "sft-log.csv", saved_step(latest))  # not past the weights
        if state.get("readout") is not None:
            save_readouts(state, tmp)

    assemble(out, fill)


def publish_pathway(run: Path, out: Path, storage_dtype: torch.dtype | None = None) -> None:
    config = PathwayConfig.from_file(run / "config.json")
    latest = run / "latest"
    base = Path(config.init_checkpoint) if config.init_checkpoint else None
    if base is not None and (base.parent / STATE_FILE).exists():
        raise ValueError(
            f"the run started from another run's training state ({base}): publish that run first and start the "
            "pathway from the published folder, so this one does not depend on a run folder"
        )
    state = torch.load(latest / STATE_FILE, map_location="cpu", weights_only=True)

    def fill(tmp: Path) -> None:
        save_checkpoint(load_checkpoint(latest / MODEL_DIR), tmp, storage_dtype, base=base)
        if base is not None and (base / CANVASES_FILE).exists():  # the LM is the base's, untrained here
            shutil.copyfile(base / CANVASES_FILE, tmp / CANVASES_FILE)
        save_readouts(state, tmp)
        write_config(config, tmp / "pathway-config.json")
        copy_log_through(run / "log.csv", tmp / "pathway-log.csv", state["step"])

    assemble(out, fill)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Publish an SFT or pathway run's weights as a checkpoint folder.")
    parser.add_argument("--run", required=True, type=Path, help="the run's out folder (holds config.json, latest/)")
    parser.add_argument("--out", required=True, type=Path, help="checkpoint folder to write (replaced whole)")
    parser.add_argument("--weights", choices=("ema", "model"), help="an SFT run's (default ema)")
    parser.add_argument(
        "--storage", choices=("float16", "bfloat16"), help="store the weights narrower (the model computes in float32)"
    )
    args = parser.parse_args(argv)
    storage = args.storage and getattr(torch, args.storage)
    if "mixture" in json.loads((args.run / "config.json").read_text()):  # an SFT config; a pathway one has none
        publish(args.run, args.out, args.weights or "ema", storage)
    elif args.weights == "ema":
        parser.error("a pathway run keeps no weight average: its model is published")
    else:
        publish_pathway(args.run, args.out, storage)
    print(f"published {args.run / 'latest'} to {args.out}")


if __name__ == "__main__":
    main()
