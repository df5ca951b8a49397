import dataclasses
import math

import numpy as np
import pytest
import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.config import VQConfig
from lavida_r1.model.generation import build_vqvae, vq_encode
from lavida_r1.vq import load_vqvae_into, save_vqvae, train as vq_train
from lavida_r1.vq.codebook import restart_dead_codes
from lavida_r1.vq.data import eval_pixels, to_pixels, train_batch
from lavida_r1.vq.metrics import codebook_metrics, reconstruction_metrics, to_uint8
from lavida_r1.vq.state import load_state, save_state

# A VQ small enough for fast steps; still 64-px world images and an 8x8 grid.
SMALL = dataclasses.replace(
    get_preset("tiny"),
    vq=VQConfig(
        block_out_channels=(8, 8, 8, 8),
        layers_per_block=1,
        latent_channels=4,
        num_vq_embeddings=32,
        norm_num_groups=4,
        image_size=64,
    ),
)


def run_steps(trainer, n):
    return [trainer.train_step()["loss"] for _ in range(n)]


def test_steps_on_a_fixed_batch_lower_the_loss(monkeypatch):
    fixed = train_batch(0, 0, 4)
    monkeypatch.setattr(vq_train, "train_batch", lambda seed, step, batch: fixed)
    args = vq_train.TrainArgs(steps=20, batch=4, lr=3e-3, warmup=1, ae_warmup=5, restart_every=5)
    losses = run_steps(vq_train.Trainer(SMALL, args), 20)
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


def test_resume_repeats_an_uninterrupted_run_bitwise(tmp_path):
    args = vq_train.TrainArgs(steps=6, batch=4, seed=3, warmup=2, ae_warmup=2, restart_every=2, restart_until=1.0)
    straight = run_steps(vq_train.Trainer(SMALL, args), 6)

    first = vq_train.Trainer(SMALL, args)
    resumed = run_steps(first, 3)
    save_state(tmp_path, first.state())
    torch.manual_seed(123)  # the resumed process starts with other RNG state
    second = vq_train.Trainer(SMALL, args)
    second.load(load_state(tmp_path))
    resumed += run_steps(second, 3)
    assert resumed == straight

    other = vq_train.Trainer(SMALL, dataclasses.replace(args, lr=2e-3))
    with pytest.raises(ValueError, match="trained with"):
        other.load(load_state(tmp_path))


def test_batches_are_a_function_of_seed_and_step():
    assert torch.equal(train_batch(1, 5, 4), train_batch(1, 5, 4))
    assert not torch.equal(train_batch(1, 5, 4), train_batch(1, 6, 4))
    assert not torch.equal(train_batch(1, 5, 4), train_batch(2, 5, 4))


def test_saved_vq_loads_into_a_model_with_identical_ids(tmp_path):
    config = get_preset("tiny")
    torch.manual_seed(1)
    trained = build_vqvae(config)
    with torch.no_grad():  # move away from the default init so loading visibly changes the model
        for p in trained.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    save_vqvae(trained, tmp_path)
    torch.manual_seed(2)
    model = LavidaForMaskedDiffusion(config)
    pixels = eval_pixels(4)
    before = vq_encode(model.model.vqvae, pixels)
    load_vqvae_into(model, tmp_path)
    after = vq_encode(model.model.vqvae, pixels)
    assert torch.equal(after, vq_encode(trained, pixels)) and not torch.equal(before, after)


def test_loading_rejects_a_different_vq(tmp_path):
    save_vqvae(build_vqvae(SMALL), tmp_path)
    with pytest.raises(ValueError):
        load_vqvae_into(LavidaForMaskedDiffusion(get_preset("tiny")), tmp_path)


def test_reconstruction_metrics_on_hand_made_arrays():
    original = np.zeros((2, 2, 2, 3), dtype=np.uint8)
    decoded = original.copy()
    decoded[1, 0, 1, 2] = 10
    m = reconstruction_metrics(original, decoded)
    assert m["mean_abs_error_255"] == pytest.approx(10 / 24)
    assert m["psnr_db"] == pytest.approx(10 * math.log10(255**2 / (100 / 24)))
    assert m["exact_pixel_fraction"] == 7 / 8 and m["exact_image_fraction"] == 1 / 2
    same = reconstruction_metrics(original, original)
    assert same["psnr_db"] is None and same["exact_pixel_fraction"] == 1.0


def test_codebook_metrics():
    m = codebook_metrics(np.array([[0, 0], [3, 3]]), 8)
    assert (m["codes_used"], m["codebook_usage"]) == (2, 0.25)
    assert m["perplexity"] == pytest.approx(2.0)


def test_pixels_round_trip_exactly_through_uint8():
    from PIL import Image

    array = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    assert np.array_equal(to_uint8(to_pixels([Image.fromarray(a) for a in array])), array)


def test_restart_reseeds_only_unused_codes():
    embedding = torch.nn.Embedding(4, 2)
    kept = embedding.weight[[0, 2]].clone()
    latents = torch.full((10, 2), 5.0)
    n = restart_dead_codes(embedding, torch.tensor([3, 0, 1, 0]), latents, torch.Generator().manual_seed(0))
    assert n == 2 and torch.equal(embedding.weight[[0, 2]], kept)
    assert torch.allclose(embedding.weight[[1, 3]], latents[:2], atol=0.1)


def test_restart_by_error_reseeds_from_the_worst_represented_latents():
    embedding = torch.nn.Embedding(3, 2)
    with torch.no_grad():
        embedding.weight[0] = torch.tensor([0.0, 0.0])
    latents = torch.cat([torch.zeros(99, 2) + 0.01, torch.tensor([[10.0, -10.0]])])  # 99 near code 0, one far
    usage = torch.tensor([7, 0, 0])
    restart_dead_codes(embedding, usage, latents, torch.Generator().manual_seed(0), by_error=True)
    assert torch.allclose(embedding.weight[1:], torch.tensor([[10.0, -10.0]] * 2), atol=0.5)
    uniform = torch.nn.Embedding(3, 2)
    restart_dead_codes(uniform, usage, latents, torch.Generator().manual_seed(0))
    assert torch.allclose(uniform.weight[1:], torch.zeros(2, 2), atol=0.5)  # the frequent latents win uniformly
