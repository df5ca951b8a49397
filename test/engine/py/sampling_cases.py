"""Sampler parity cases: the pure functions on random inputs, Python's random module, and the three sampler loops
run with a deterministic fake denoiser (the same hash as test/engine/fake-denoiser.ts) in place of the model."""

import math
import random
from types import SimpleNamespace

import torch

from lavida_r1.sampling import grounding_loop, image_loop, select, text_loop
from lavida_r1.sampling.denoise import Candidates, Denoise, LocDenoise
from lavida_r1.sampling.order import stratified_order
from lavida_r1.sampling.schedules import cosine_temperature, transfer_counts

M32 = 0xFFFFFFFF
TEXT_TOKENS = list(range(12)) + [101, 102]  # ordinary ids, EOS (101), EoT (102); the mask is 100
IDS = SimpleNamespace(
    mask_token_id=100,
    eos_token_id=101,
    eot_token_id=102,
    loc_token_offset=0,
    num_loc_bins=9,
    loc_begin_id=200,
    loc_end_id=201,
    image_mask_token_id=1025,
)


def mix(x: int) -> int:
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    return x ^ (x >> 16)


def row_hash(row: list[int], salt: int) -> int:
    h = salt
    for i, t in enumerate(row):
        h = mix((h ^ ((t + i * 0x10001) & M32)) & M32)
    return h


def fake_candidates(row: list[int], salt: int, vocab: list[int] | int) -> tuple[list[int], list[float]]:
    """Per position: a token and a confidence in {1/8, ..., 8/8} (many exact ties), from the whole row."""
    h = row_hash(row, salt)
    ids, conf = [], []
    for p in range(len(row)):
        m = mix((h ^ ((p * 0x9E3779B1) & M32)) & M32)
        ids.append(vocab[m % len(vocab)] if isinstance(vocab, list) else m % vocab)
        conf.append(((m >> 8) % 8 + 1) / 8)
    return ids, conf


def fake_denoiser(salt: int, vocab: list[int] | int) -> Denoise:
    """The candidates of `fake_candidates` for every row of the canvas (fake-denoiser.ts fakeDenoiser)."""

    def denoise(canvas: torch.Tensor, step: int, block=None) -> Candidates:
        rows = [fake_candidates(r, salt, vocab) for r in canvas.tolist()]
        ids, confidence = zip(*rows)
        return Candidates(torch.tensor(ids), torch.tensor(confidence, dtype=torch.float64))

    return denoise


def fake_loc_logits(row: list[int], salt: int, bins: int) -> list[list[float]]:
    """Per position and LOC bin: a logit in {0, 1/8, ..., 7/8} (many exact ties), from the whole row."""
    h = row_hash(row, salt)
    return [
        [((mix(h ^ ((p * 0x9E3779B1) & M32) ^ ((v * 0x85EBCA77) & M32)) >> 8) % 8) / 8 for v in range(bins)]
        for p in range(len(row))
    ]


def fake_loc_denoiser(salt: int, bins: int) -> LocDenoise:
    """The four slots' LOC logits of `fake_loc_logits` (fake-denoiser.ts fakeLocLogits)."""

    def denoise(canvas: torch.Tensor, step: int) -> torch.Tensor:
        rows = [fake_loc_logits(r, salt, bins)[1:5] for r in canvas.tolist()]
        return torch.tensor(rows, dtype=torch.float32)

    return denoise


def text_cases(rng: random.Random) -> list[dict]:
    cases = []
    for k in range(120):
        block = rng.choice([4, 8, 16])
        gen = block * rng.randint(1, 4)
        blocks = gen // block
        threshold = rng.choice([None, None, 0.3, 0.6, 0.9, 1.0])
        cfg = dict(
            gen_length=gen,
            block_length=block,
            steps=blocks * rng.randint(1, block),
            schedule=rng.choice(["uniform", "shift"]),
            shift=rng.choice([0.5, 1.0, 2.0, 3.0, 5.0]),
            threshold=threshold,
            stop_at_eos=rng.random() < 0.7,
            eos_confidence_inf=rng.random() < 0.3,
        )
        batch = rng.randint(1, 3)
        draft = None
        if rng.random() < 0.4:
            draft = [[rng.choice([100] * 3 + TEXT_TOKENS) for _ in range(gen)] for _ in range(batch)]
        sample = text_loop.sample_text(
            fake_denoiser(k, TEXT_TOKENS),
            IDS,
            text_loop.TextSamplerConfig(**cfg),
            batch,
            draft=None if draft is None else torch.tensor(draft),
        )
        cases.append(
            {
                "salt": k,
                "config": cfg,
                "batch": batch,
                "draft": draft,
                "tokens": sample.tokens.tolist(),
                "unmask_step": sample.unmask_step.tolist(),
                "nfe": sample.nfe,
            }
        )
    return cases


def grounding_cases(rng: random.Random) -> list[dict]:
    cases = []
    for k in range(30):
        steps, batch = rng.choice([1, 2, 4]), rng.randint(1, 3)
        sizes = [(rng.randint(1, 80), rng.randint(1, 80)) for _ in range(batch)] if k % 3 else None
        s = grounding_loop.sample_box(fake_loc_denoiser(k, IDS.num_loc_bins), IDS, batch, steps, sizes)
        cases.append(
            {
                "salt": k,
                "steps": steps,
                "batch": batch,
                "sizes": sizes,
                "bins": s.bins.tolist(),
                "tokens": s.tokens.tolist(),
            }
        )
    return cases


def image_cases(rng: random.Random) -> list[dict]:
    cases = []
    for k in range(30):
        grid, batch = rng.choice([2, 3, 4, 8]), rng.randint(1, 2)
        cfg = dict(
            steps=rng.randint(1, 12),
            shift=rng.choice([1.0, 3.0, 5.0]),
            temperature=0.0,
            guidance_scale=0.0,
            image_guidance_scale=0.0,
            order=rng.choice(["stratified", "confidence"]),
            order_seed=rng.choice([0, 42, 7]),
        )
        init, start = None, 0
        if rng.random() < 0.3:
            start = rng.randint(0, cfg["steps"] - 1)
            init = [[rng.choice([1025, rng.randint(0, 1023)]) for _ in range(grid * grid)] for _ in range(batch)]
        s = image_loop.sample_image(
            fake_denoiser(k, 1024),
            IDS.image_mask_token_id,
            image_loop.ImageSamplerConfig(**cfg),
            grid,
            batch,
            None if init is None else torch.tensor(init),
            start,
        )
        cases.append(
            {
                "salt": k,
                "grid": grid,
                "batch": batch,
                "config": cfg,
                "init": init,
                "start": start,
                "vq": s.vq.reshape(batch, -1).tolist(),
                "unmask_step": s.unmask_step.tolist(),
                "nfe": s.nfe,
            }
        )
    return cases


def fmt(x: float) -> float | str:
    return x if math.isfinite(x) else ("-inf" if x < 0 else "inf")


def build() -> dict:
    rng = random.Random(11)
    counts = []
    for _ in range(400):
        masked, steps = rng.randint(0, 300), rng.randint(1, 64)
        schedule, shift = rng.choice(["uniform", "shift"]), rng.choice([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 7.3])
        counts.append(
            {"args": [masked, steps, schedule, shift], "out": transfer_counts(masked, steps, schedule, shift)}
        )
    selects = []
    for _ in range(300):
        n = rng.randint(1, 40)
        conf = [rng.choice([float("-inf"), 0.125, 0.5, 0.5, 0.875, 1.0, rng.random()]) for _ in range(n)]
        k = rng.randint(0, n)
        threshold = rng.choice([0.1, 0.5, 0.9, 1.0])
        t = torch.tensor([conf], dtype=torch.float64)
        selects.append(
            {
                "conf": [fmt(c) for c in conf],
                "k": k,
                "threshold": threshold,
                "scheduled": select.select_scheduled(t, torch.tensor([k]))[0].tolist(),
                "thresholded": select.select_threshold(t, threshold)[0].tolist(),
            }
        )
    stops = []
    for _ in range(200):
        n = rng.randint(1, 24)
        canvas = [rng.choice([100, 100, 101, 102, 3, 4]) for _ in range(n)]
        fixed = [rng.random() < 0.2 for _ in range(n)]
        end = rng.randint(0, n)
        c, done = text_loop.stop_rows_at_eos(
            torch.tensor([canvas]), torch.tensor([fixed]), end, torch.tensor([101, 102]), 101, 100
        )
        stops.append({"canvas": canvas, "fixed": fixed, "end": end, "out": c[0].tolist(), "done": bool(done[0])})
    seeds = [0, 1, 42, 12345, 2**32 - 1, 2**32 + 5, 2**70 + 3, -7]
    pyrandom = []
    for seed in seeds:
        r = random.Random(seed)
        floats = [r.random() for _ in range(5)]
        items = list(range(rng.randint(1, 50)))
        r.shuffle(items)
        choices = [r.choice(range(1, n + 2)) for n in range(30)]
        bits = [r.getrandbits(k) for k in range(33)]
        pyrandom.append({"seed": str(seed), "floats": floats, "shuffled": items, "choices": choices, "bits": bits})
    orders = [
        {"args": [h, w, seed], "order": stratified_order(h, w, seed)}
        for h, w, seed in [
            (1, 1, 42),
            (2, 2, 42),
            (4, 4, 0),
            (8, 8, 42),
            (16, 16, 42),
            (32, 32, 42),
            (64, 64, 7),
            (5, 7, 3),
            (3, 12, 42),
            (13, 1, 9),
        ]
    ]
    temps = [
        {"args": a, "out": cosine_temperature(*a)}
        for a in [(s, n, 0.8, 0.5) for n in (1, 2, 7, 64) for s in range(n)] + [(3, 10, 1.0, 0.0)]
    ]
    return {
        "counts": counts,
        "selects": selects,
        "stops": stops,
        "pyrandom": pyrandom,
        "orders": orders,
        "temperatures": temps,
        "text": text_cases(rng),
        "grounding": grounding_cases(rng),
        "image": image_cases(rng),
    }
