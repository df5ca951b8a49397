"""Reference samplers: schedules, threshold decoding, determinism, inpainting, cache parity, boxes, images."""

import copy
from dataclasses import replace

import pytest
import torch

from lavida_r1.boxes import bins_to_box, box_to_bins
from lavida_r1.sampling.grounding import generate_box
from lavida_r1.sampling.image import ImageSamplerConfig, generate_image
from lavida_r1.sampling.order import stratified_order
from lavida_r1.sampling.schedules import shift_counts, transfer_counts, uniform_counts
from lavida_r1.sampling.text import TextSamplerConfig, generate_text
from lavida_r1.sampling.valid_box import slot_ranges, valid_box


def prompt(config, length=9, seed=0, batch=1):
    g = torch.Generator().manual_seed(seed)
    return torch.cat(
        (torch.full((batch, 1), config.bos_token_id), torch.randint(0, 500, (batch, length - 1), generator=g)), 1
    )


def test_uniform_counts_spread_remainder_first():
    assert uniform_counts(10, 4) == [3, 3, 2, 2]
    assert uniform_counts(3, 4) == [1, 1, 1, 0]


def test_shift_schedule_direction():
    late = shift_counts(64, 8, 3.0)  # s > 1: few tokens early, many late
    early = shift_counts(64, 8, 1 / 3)  # s < 1: many early
    assert late[0] < late[-1] and early[0] > early[-1]
    assert all(c >= 1 for c in late + early)


@pytest.mark.parametrize(
    "masked,steps,schedule", [(32, 8, "uniform"), (32, 8, "shift"), (5, 8, "shift"), (7, 3, "uniform")]
)
def test_transfer_counts_unmask_everything(masked, steps, schedule):
    counts = transfer_counts(masked, steps, schedule, 3.0)
    assert len(counts) == steps and sum(counts) == masked and min(counts) >= 0


def record_steps(model, ids, config, **kw):
    canvases = []
    sample = generate_text(model, ids, config, on_step=lambda _, canvas: canvases.append(canvas.clone()), **kw)
    return sample, canvases


@pytest.mark.parametrize("schedule", ["uniform", "shift"])
def test_tokens_unmasked_per_step_follow_schedule(tiny_model, schedule):
    c = tiny_model.config
    config = TextSamplerConfig(gen_length=16, block_length=8, steps=8, schedule=schedule, stop_at_eos=False)
    sample, canvases = record_steps(tiny_model, prompt(c), config)
    per_block = transfer_counts(8, 4, schedule, config.shift)
    previous = torch.full((1, 16), c.mask_token_id)
    for step, canvas in enumerate(canvases):
        newly = ((previous == c.mask_token_id) & (canvas != c.mask_token_id)).nonzero()[:, 1]
        assert len(newly) == per_block[step % 4]
        block = step // 4
        assert all(block * 8 <= int(p) < (block + 1) * 8 for p in newly)  # semi-autoregressive blocks
        previous = canvas
    assert sample.nfe == 8 and not (sample.tokens == c.mask_token_id).any()


def test_threshold_decoding_unmasks_at_least_one_per_step(sharp_model):
    c = sharp_model.config
    for threshold in (0.5, 0.99, 1.0):
        config = TextSamplerConfig(gen_length=16, block_length=8, threshold=threshold, stop_at_eos=False)
        sample, canvases = record_steps(sharp_model, prompt(c), config)
        counts = [int((canvases[0] != c.mask_token_id).sum())]
        counts += [
            int((b != c.mask_token_id).sum() - (a != c.mask_token_id).sum()) for a, b in zip(canvases, canvases[1:])
        ]
        assert all(n >= 1 for n in counts) and sum(counts) == 16
        assert sample.nfe == len(canvases) <= 16
    # A lower threshold decodes in fewer passes than the strictest one.
    fast = generate_text(
        sharp_model, prompt(c), TextSamplerConfig(gen_length=16, block_length=8, threshold=0.3, stop_at_eos=False)
    )
    slow = generate_text(
        sharp_model, prompt(c), TextSamplerConfig(gen_length=16, block_length=8, threshold=1.0, stop_at_eos=False)
    )
    assert fast.nfe < slow.nfe == 16


def test_greedy_is_deterministic_and_sampling_is_seeded(tiny_model):
    c = tiny_model.config
    greedy = TextSamplerConfig(gen_length=16, block_length=8, steps=8)
    a = generate_text(tiny_model, prompt(c), greedy).tokens
    assert torch.equal(a, generate_text(tiny_model, prompt(c), greedy).tokens)
    hot = lambda seed: TextSamplerConfig(gen_length=16, block_length=8, steps=8, temperature=1.0, seed=seed)
    s1, s2, s3 = (generate_text(tiny_model, prompt(c), hot(s)).tokens for s in (1, 1, 2))
    assert torch.equal(s1, s2) and not torch.equal(s1, s3)


def test_prefix_cache_gives_the_same_tokens(tiny_model):
    c = tiny_model.config
    base = dict(gen_length=16, block_length=8, steps=16, stop_at_eos=False)
    cached = generate_text(tiny_model, prompt(c), TextSamplerConfig(**base, use_cache=True))
    uncached = generate_text(tiny_model, prompt(c), TextSamplerConfig(**base, use_cache=False))
    assert torch.equal(cached.tokens, uncached.tokens) and cached.nfe == uncached.nfe


def test_dual_cache_block_pass_equals_a_full_pass_while_the_rest_is_unchanged(tiny_model):
    """The window hides the block's stale keys: a block-only pass against it computes what a full pass over the
    same canvas computes for the block (the approximation only enters once other tokens change)."""
    c = tiny_model.config
    ids = prompt(c, batch=2)
    cache = tiny_model(ids, use_cache=True).cache
    canvas = torch.randint(0, 500, (2, 16), generator=torch.Generator().manual_seed(1))
    canvas[:, 3:13:2] = c.mask_token_id
    positions = ids.shape[1] + torch.arange(16)[None].expand(2, -1)
    full = tiny_model(canvas, position_ids=positions, past=cache, use_cache=True)
    hidden = torch.zeros(2, 16, dtype=torch.bool)
    hidden[:, 8:] = True
    window = cache.join(full.cache, hidden)
    block = tiny_model(canvas[:, 8:], position_ids=positions[:, 8:], past=window).logits
    torch.testing.assert_close(block, full.logits[:, 8:], atol=1e-5, rtol=1e-5)
    unhidden = tiny_model(canvas[:, 8:], position_ids=positions[:, 8:], past=cache.join(full.cache)).logits
    assert (unhidden - full.logits[:, 8:]).abs().max() > 1e-3  # seeing the block's keys twice is not the same


def test_dual_cache_with_one_pass_per_block_equals_the_prefix_cache(tiny_model):
    c = tiny_model.config
    config = TextSamplerConfig(
        gen_length=32, block_length=8, steps=4, stop_at_eos=False
    )  # every pass is a block's first
    dual = generate_text(tiny_model, prompt(c, batch=2), replace(config, dual_cache=True))
    assert torch.equal(dual.tokens, generate_text(tiny_model, prompt(c, batch=2), config).tokens)


def test_dual_cache_decodes_every_token_and_refuses_what_it_cannot_do(sharp_model, tiny_model):
    c = sharp_model.config
    config = TextSamplerConfig(
        gen_length=32, block_length=8, steps=32, threshold=0.9, stop_at_eos=False, dual_cache=True
    )
    sample = generate_text(sharp_model, prompt(c), config)
    assert not (sample.tokens == c.mask_token_id).any() and 4 <= sample.nfe < 32
    with pytest.raises(ValueError, match="needs use_cache"):
        replace(config, use_cache=False).validate()
    draft = torch.full((1, 16), c.mask_token_id)
    with pytest.raises(ValueError, match="text canvases"):
        generate_text(
            tiny_model,
            prompt(c),
            replace(config, gen_length=16),
            draft=draft,
            gen_vq=torch.zeros(1, 2, 2, dtype=torch.long),
        )


def test_batched_left_padded_rows_decode_as_alone(tiny_model):
    c = tiny_model.config
    config = TextSamplerConfig(gen_length=16, block_length=8, steps=8, stop_at_eos=False)
    short, long = prompt(c, 6, seed=3), prompt(c, 10, seed=4)
    ids = torch.cat((torch.cat((torch.full((1, 4), c.pad_token_id), short), 1), long))
    mask = torch.ones_like(ids)
    mask[0, :4] = 0
    batched = generate_text(tiny_model, ids, config, prompt_mask=mask).tokens
    assert torch.equal(batched[0], generate_text(tiny_model, short, config).tokens[0])
    assert torch.equal(batched[1], generate_text(tiny_model, long, config).tokens[0])


def test_inpainting_never_changes_fixed_tokens(tiny_model):
    c = tiny_model.config
    draft = torch.full((2, 16), c.mask_token_id)
    draft[:, 10:15] = torch.tensor([40, 41, 42, 43, 44])  # e.g. "<answer> z* </answer>"
    draft[1, 0] = c.eos_token_id  # even an early EOS is kept and does not stop the row
    config = TextSamplerConfig(gen_length=16, block_length=8, steps=8, temperature=1.0, seed=5)
    sample = generate_text(tiny_model, prompt(c, batch=2), config, draft=draft)
    fixed = draft != c.mask_token_id
    assert torch.equal(sample.tokens[fixed], draft[fixed])
    assert bool((sample.unmask_step[fixed] == -1).all()) and bool((sample.unmask_step[~fixed] >= 0).all())
    assert not (sample.tokens == c.mask_token_id).any()


def test_early_stop_fills_with_eos(tiny_model):
    c = tiny_model.config
    model = copy.deepcopy(tiny_model)
    t = model.model.transformer
    with torch.no_grad():  # blocks become identities, so a masked slot's hidden state is the mask embedding
        for block in t.blocks:
            block.attn_out.weight.zero_()
            block.ff_out.weight.zero_()
        direction = t.ln_f(t.wte.weight[c.mask_token_id])
        t.ff_out.weight[c.eos_token_id] = 20 * direction / direction.norm()
    config = TextSamplerConfig(gen_length=32, block_length=8, steps=16)
    sample = generate_text(model, prompt(c), config)
    assert bool((sample.tokens == c.eos_token_id).all())
    assert sample.nfe == 4  # only the first block was denoised, then the rest was filled


def test_eos_logits_inf_never_emits_eos(tiny_model):
    c = tiny_model.config
    model = copy.deepcopy(tiny_model)
    with torch.no_grad():
        model.model.transformer.ff_out.weight[c.eos_token_id] *= 0
        model.model.transformer.ff_out.weight[c.eos_token_id] += model.model.transformer.ff_out.weight.abs().max() * 3
    config = TextSamplerConfig(gen_length=16, block_length=16, steps=16, eos_logits_inf=True, stop_at_eos=False)
    tokens = generate_text(model, prompt(c), config).tokens
    assert not (tokens == c.eos_token_id).any()


# ----- grounding -----


def test_box_bins_round_trip_on_padded_square():
    size = (200, 100)  # padded to 200x200 with the image 50 px down
    box = [20.0, 10.0, 150.0, 90.0]
    bins = box_to_bins(box, size)
    assert bins[1] == round((10 + 50) / 200 * 1024)
    back = bins_to_box(bins, size)
    assert all(abs(a - b) <= 200 / 1024 for a, b in zip(box, back))
    assert bins_to_box([0, 0, 1024, 1024], size) == [0.0, 0.0, 200.0, 100.0]  # clipped to the image


@pytest.mark.parametrize("steps", [1, 2, 4])
def test_grounding_fills_four_loc_slots(tiny_model, steps):
    c = tiny_model.config
    sample = generate_box(tiny_model, prompt(c, batch=2), steps=steps)
    assert sample.nfe == steps and sample.bins.shape == (2, 4)
    assert bool(((sample.bins >= 0) & (sample.bins < c.num_loc_bins)).all())
    assert torch.equal(sample.tokens[:, 0], torch.full((2,), c.loc_begin_id))
    assert torch.equal(sample.tokens[:, 5], torch.full((2,), c.loc_end_id))


def test_one_step_grounding_is_the_best_valid_box(tiny_model):
    c = tiny_model.config
    ids = prompt(c)
    sample = generate_box(tiny_model, ids, steps=1)
    canvas = torch.tensor([[c.loc_begin_id] + [c.mask_token_id] * 4 + [c.loc_end_id, c.eot_token_id]])
    with torch.no_grad():
        logits = tiny_model(torch.cat((ids, canvas), 1), prefix_len=ids.shape[1]).logits[
            :, ids.shape[1] + 1 : ids.shape[1] + 5
        ]
    loc = logits[..., c.loc_token_offset : c.loc_token_offset + c.num_loc_bins].double()
    assert torch.equal(sample.bins, valid_box(loc, slot_ranges(None, 1, c.num_loc_bins)))


# ----- images -----


def test_stratified_order_is_a_spread_permutation():
    order = stratified_order(8, 8, seed=42)
    assert sorted(order) == list(range(64)) and order == stratified_order(8, 8, seed=42)
    assert order != stratified_order(8, 8, seed=7)
    quadrants = {(p // 8 // 4, p % 8 // 4) for p in order[:4]}
    assert len(quadrants) == 4  # the first four positions fall in four different quadrants
    cells = {(p // 8 // 2, p % 8 // 2) for p in order[:16]}
    assert len(cells) == 16  # the first sixteen in sixteen different 2x2 cells


def edit_inputs(model):
    c = model.config
    grid = c.vq.grid_size
    slots = (grid // 2) ** 2
    source = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=torch.Generator().manual_seed(0))
    ids = torch.tensor(
        [[c.bos_token_id, *[c.edit_token_id] * slots, 60, 61, 62, *[c.gen_token_id] * slots, c.eot_token_id]]
    )
    condition = torch.zeros_like(ids, dtype=torch.bool)
    condition[0, 1 + slots : 4 + slots] = True
    return ids, source, condition


@pytest.mark.parametrize("order", ["stratified", "confidence"])
def test_image_sampler_commits_the_scheduled_counts(tiny_model, order):
    c = tiny_model.config
    ids, source, condition = edit_inputs(tiny_model)
    config = ImageSamplerConfig(steps=8, temperature=1.0, seed=3, order=order)
    sample = generate_image(tiny_model, ids, config, edit_vq=source, condition_mask=condition)
    counts = transfer_counts(c.vq.grid_size**2, 8, "shift", 5.0)
    assert [int((sample.unmask_step == s).sum()) for s in range(8)] == counts
    assert bool((sample.vq < c.vq.num_vq_embeddings).all()) and sample.nfe == 8
    if order == "stratified":
        expected = torch.tensor(stratified_order(c.vq.grid_size, c.vq.grid_size, 42))
        assert torch.equal(
            sample.unmask_step[0, expected].diff().clamp(max=0), torch.zeros(len(expected) - 1, dtype=torch.long)
        )


def test_image_guidance_changes_the_result_and_greedy_is_deterministic(tiny_model):
    ids, source, condition = edit_inputs(tiny_model)
    run = lambda **kw: (
        generate_image(
            tiny_model, ids, ImageSamplerConfig(steps=4, temperature=0, **kw), edit_vq=source, condition_mask=condition
        ).vq
    )
    plain = run(guidance_scale=0, image_guidance_scale=0)
    assert torch.equal(plain, run(guidance_scale=0, image_guidance_scale=0))
    assert not torch.equal(plain, run(guidance_scale=3.0, image_guidance_scale=3.0))


def test_tree_search_branch_resumes_from_a_partial_canvas(tiny_model):
    ids, source, condition = edit_inputs(tiny_model)
    config = ImageSamplerConfig(steps=8, temperature=1.0, seed=11)
    full = generate_image(tiny_model, ids, config, edit_vq=source, condition_mask=condition)
    early = torch.where(full.unmask_step < 2, full.vq.flatten(1), tiny_model.config.image_mask_token_id)
    branch = generate_image(
        tiny_model,
        ids,
        ImageSamplerConfig(steps=8, temperature=1.0, seed=12),
        edit_vq=source,
        condition_mask=condition,
        init_vq=early,
        start_step=2,
    )
    kept = full.unmask_step < 2
    assert torch.equal(branch.vq.flatten(1)[kept], full.vq.flatten(1)[kept]) and branch.nfe == 6
    assert bool((branch.unmask_step[kept] == -1).all()) and bool((branch.unmask_step[~kept] >= 2).all())


def test_edit_plan_decoding_with_slots_matches_with_and_without_cache(tiny_model):
    """The plan of an edit is decoded with the image slots in place (a masked VQ canvas behind them) and the
    edit source in the prompt: the prefix cache must give the same tokens as the uncached prefix-LM forward."""
    c = tiny_model.config
    grid = c.vq.grid_size
    slots = (grid // 2) ** 2
    source = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=torch.Generator().manual_seed(2))
    ids = torch.tensor([[c.bos_token_id, *[c.edit_token_id] * slots, 60, 61, 62]])
    draft = torch.tensor([[c.mask_token_id] * 8 + [c.gen_token_id] * slots + [c.eot_token_id]])
    blank = torch.full((1, grid, grid), c.image_mask_token_id)
    run = lambda cache: generate_text(
        tiny_model,
        ids,
        TextSamplerConfig(
            gen_length=draft.shape[1], block_length=draft.shape[1], steps=8, use_cache=cache, stop_at_eos=False
        ),
        draft=draft,
        edit_vq=source,
        gen_vq=blank,
    )
    cached, uncached = run(True), run(False)
    assert torch.equal(cached.tokens, uncached.tokens) and cached.nfe == 8
    assert torch.equal(cached.tokens[0, 8:], draft[0, 8:])
    assert not (cached.tokens[0, :8] == c.mask_token_id).any()
