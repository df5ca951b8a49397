"""The SFT training loop: `run` trains a config's steps (or pauses at one), `train_step` is one step on this
process's share of the batch. The command is `python -m lavida_r1.sft.train`."""

from __future__ import annotations

import time
from pathlib import Path

import torch

from ..config_files import write_config
from ..data.batch import collate, to_device
from ..data.examples import ExampleBuilder
from ..data.image_features import batch_views, pack_features
from ..devices import autocast, autocast_dtype
from ..distributed import Shard, start_shard
from ..model import LavidaForMaskedDiffusion, get_preset, load_checkpoint
from ..progress import CsvLog, Progress
from ..tokenizer import load_tokenizer
from ..training_state import (
    LATEST,
    load_glyph_readout,
    load_object_readout,
    load_readout,
    load_training_state,
    load_weight_average,
    save_training_state,
)
from ..vq.load import adopt_vqvae
from .canvas_check import check_answer_canvases
from .condition_dropout import drop_edit_conditions
from .config import SFTConfig
from .ema import WeightAverage
from .init import initialize
from .loss import sft_loss
from .monitor import embedding_norm_ratio, image_reliance, image_token_spread
from .optimizer import learning_rate, make_optimizer, trainable
from .readouts import Readouts, fresh_readouts
from .schedule import family_at, step_samples
from .share import share_of


def fresh_model(config: SFTConfig) -> LavidaForMaskedDiffusion:
    torch.manual_seed(config.seed)
    if config.init_checkpoint:
        return load_checkpoint(config.init_checkpoint)
    model = LavidaForMaskedDiffusion(get_preset(config.preset))
    initialize(model, config.init_std)
    return model


def monitor(model, batch, config: SFTConfig, step: int) -> dict[str, float | None]:
    """Measured in eval mode on the step's batch before the update; the same masks as the step."""
    model.eval()
    try:
        return {
            "image_reliance": image_reliance(model, batch, config.seed * 1_000_003 + step, config.loc_sigma),
            "norm_ratio": embedding_norm_ratio(model, batch),
            "image_spread": image_token_spread(model, batch),
        }
    finally:
        model.train()


def train_step(
    model, optimizer, builder, config: SFTConfig, step: int, readout: Readouts | None = None, shard: Shard = Shard()
) -> dict[str, float | None]:
    """One step on this process's share of the step's batch; the returned numbers are the whole batch's."""
    mixture = config.mixture_at(step)
    rows = shard.share(config.batch_size)
    samples = step_samples(config.seed, step, config.batch_size, mixture, rows)
    batch = to_device(collate([builder.build(s) for s in samples], model.config), shard.device)
    share = share_of(batch, rows, config.batch_size, shard, model.config)
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(config, step) * group["lr_scale"]
    measured: dict[str, float | None] = {}
    generator = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
    if batch.edit_vq is not None and (config.edit_drop_image or config.edit_drop_all):
        batch = drop_edit_conditions(
            batch, model.config, generator, share, config.edit_drop_image, config.edit_drop_all
        )
    features = readout_loss = None
    with autocast(shard.device):
        if shard.lead and config.monitor_every and (step + 1) % config.monitor_every == 0:
            measured = monitor(model, batch, config, step)
        if readout is not None:  # the views are encoded once, for the LM and for the readout
            views = batch_views(batch)
            encoded = model.encode_views(views)
            features, readout_loss = pack_features(model, batch, encoded), readout.loss(encoded, views, batch, share)
        parts = sft_loss(model, batch, generator, config.loc_sigma, features, share, config.edit_changed_weight)
        total = parts.total if readout_loss is None else parts.total + readout_loss
    optimizer.zero_grad(set_to_none=True)
    total.backward()
    shard.sum_gradients([p for group in optimizer.param_groups for p in group["params"]])
    norm = torch.nn.utils.clip_grad_norm_(trainable(model), config.grad_clip)
    optimizer.step()
    local = [None if t is None else t.item() for t in (parts.total, parts.text, parts.image, readout_loss)]
    summed = shard.sum([0.0 if v is None else v for v in local])
    loss, text, image, readout_value = (None if v is None else s for v, s in zip(local, summed))
    return {
        "loss": loss,
        "text_loss": text,
        "image_loss": image,
        "readout_loss": readout_value,
        "grad_norm": float(norm),
        "lr": optimizer.param_groups[0]["lr"],
        "family": family_at(config.seed, step, mixture),
        **measured,
    }


def run(
    config: SFTConfig, resume: bool, until: int | None = None, device: torch.device = torch.device("cpu")
) -> LavidaForMaskedDiffusion:
    """Trains to `config.steps`, or pauses after step `until` (a checkpoint is written there). Under torchrun
    (WORLD_SIZE > 1) each process runs its share of every batch on its `device`."""
    torch.set_num_threads(config.threads)
    shard = start_shard(device)
    if shard.world > config.batch_size:
        raise ValueError(f"batch_size {config.batch_size} is smaller than the {shard.world} processes")
    out = Path(config.out)
    resuming = resume and (out / LATEST).exists()
    averaged = optimizer_state = None
    start = 0
    if resuming:
        model, optimizer_state, start = load_training_state(out / LATEST)
        averaged = load_weight_average(out / LATEST)
    else:
        model = fresh_model(config)
        if config.vq_checkpoint:
            adopt_vqvae(model, config.vq_checkpoint)  # the run trains with this tokenizer, settings and all
    shard.check_same_start(start)
    readout = fresh_readouts(model.config, config)
    if readout is not None and resuming:
        load_readout(out / LATEST, readout)
    elif readout is not None:
        if config.init_object_readout:
            load_object_readout(Path(config.init_object_readout), readout.objects)
        if config.init_glyph_readout:
            load_glyph_readout(Path(config.init_glyph_readout), readout.glyphs)
    model.to(shard.device)
    if readout is not None:
        readout.to(shard.device)
    optimizer = make_optimizer(model, config, readout)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    model.train()
    model.model.vqvae.eval().requires_grad_(False)
    ema = None
    if config.ema_decay and shard.lead:  # only the first process writes it
        ema = WeightAverage(model, config.ema_decay)
        if averaged is not None:
            ema.model = averaged.to(shard.device).requires_grad_(False)
    tokenizer = load_tokenizer(config.tokenizer, model.config)
    builder = ExampleBuilder(
        model.config,
        tokenizer,
        config.answer_lengths,
        config.system_prompt,
        model.model.vqvae,
        label_objects=bool(config.object_readout_weight),
        label_glyphs=bool(config.glyph_readout_weight),
    )
    check_answer_canvases(builder, config.mixture, config.seed)
    stop = min(until, config.steps) if until is not None else config.steps
    progress = Progress(stop, start, config.log_every)
    log = None
    if shard.lead:
        out.mkdir(parents=True, exist_ok=True)
        write_config(config, out / "config.json")
        log = CsvLog(
            out / "log.csv",
            [
                "family",
                "loss",
                "text_loss",
                "image_loss",
                "readout_loss",
                "grad_norm",
                "lr",
                "seconds",
                "image_reliance",
                "norm_ratio",
                "image_spread",
            ],
            start,
        )
        where = f"{shard.world} processes on {shard.device.type}" if shard.world > 1 else str(shard.device)
        progress.note(
            f"sft: steps {start + 1}-{stop} of {config.steps}, batch {config.batch_size}, {where} "
            f"({'bf16 autocast' if autocast_dtype(shard.device) else 'fp32'}), out {out}"
        )
    for step in range(start, stop):
        began = time.monotonic()
        stats = train_step(model, optimizer, builder, config, step, readout, shard)
        if ema is not None:
            ema.update(model, step)
        if shard.lead:
            family = stats.pop("family")
            log.append(step + 1, family=family, seconds=time.monotonic() - began, **stats)
            progress.update(step + 1, family=family, loss=stats["loss"], lr=stats["lr"])
        if (step + 1) % config.save_every == 0 or step + 1 == stop:
            if shard.lead:
                save_training_state(out / LATEST, model, optimizer, step + 1, ema and ema.model, readout)
            shard.barrier()
    shard.close()
    return model
