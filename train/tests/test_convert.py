import copy
import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.checkpoint import CheckpointMismatchError, build_on_meta, load_checkpoint, save_checkpoint
from lavida_r1.model.convert import main as convert_main
from lavida_r1.model.image_processing import AnyresImage
from lavida_r1.model.upstream import INDEX_FILE, load_upstream, write_upstream_checkpoint
from lavida_r1.model.upstream_config import config_from_upstream, upstream_config_dict
from lavida_r1.model.vision import count_image_tokens


@pytest.fixture(scope="module")
def tiny_model() -> LavidaForMaskedDiffusion:
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(get_preset("tiny")).eval()
    with torch.no_grad():  # no constant tensors (norm weights, image_newline), so any swapped key shows
        for param in model.parameters():
            param.add_(0.05 * torch.randn_like(param))
    return model


@pytest.fixture(scope="module")
def upstream_dir(tiny_model, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("upstream")
    lm_bytes = sum(
        v.numel() * v.element_size() for k, v in tiny_model.state_dict().items() if not k.startswith("model.vqvae.")
    )
    write_upstream_checkpoint(tiny_model, directory, shard_size_bytes=lm_bytes // 3)
    return directory


@pytest.fixture
def broken_dir(upstream_dir, tmp_path) -> Path:
    """A private copy of the upstream checkpoint for tests that damage it."""
    return Path(shutil.copytree(upstream_dir, tmp_path / "upstream"))


def mixed_forward(model: LavidaForMaskedDiffusion):
    """Text, SigLIP features, an edit source and a partly masked canvas in one sequence."""
    c = model.config
    g = torch.Generator().manual_seed(1)
    grid, size = (1, 2), (64, 128)
    pixels = torch.randn(3, 3, c.vision.image_size, c.vision.image_size, generator=g)
    side = c.vq.grid_size
    edit = torch.randint(0, c.vq.num_vq_embeddings, (1, side, side), generator=g)
    canvas = torch.randint(0, c.vq.num_vq_embeddings, (1, side, side), generator=g)
    canvas[:, ::2] = c.image_mask_token_id
    slots = (side // 2) ** 2
    text = lambda n: torch.randint(0, 500, (n,), generator=g)
    ids = torch.cat(
        [
            torch.tensor([c.bos_token_id]),
            text(5),
            torch.full((count_image_tokens(c, grid, size),), c.image_token_id),
            text(3),
            torch.full((slots,), c.edit_token_id),
            text(4),
            torch.full((slots,), c.gen_token_id),
            torch.full((6,), c.mask_token_id),
        ]
    )[None]
    with torch.no_grad():
        features = model.encode_image(AnyresImage(pixels, grid, size))[None]
        return model(ids, image_features=features, edit_vq=edit, gen_vq=canvas)


def assert_same_model(a: LavidaForMaskedDiffusion, b: LavidaForMaskedDiffusion) -> None:
    assert a.config == b.config
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    out_a, out_b = mixed_forward(a), mixed_forward(b)
    assert torch.equal(out_a.logits, out_b.logits)
    assert torch.equal(out_a.image_logits, out_b.image_logits)


def test_upstream_layout_is_sharded_with_a_vqvae_folder(upstream_dir):
    index = json.loads((upstream_dir / INDEX_FILE).read_text())
    shards = set(index["weight_map"].values())
    assert len(shards) >= 2 and all((upstream_dir / s).exists() for s in shards)
    assert not any(k.startswith("model.vqvae.") for k in index["weight_map"])
    assert "model.transformer.blocks.0.q_proj_vision.weight" in index["weight_map"]
    assert (upstream_dir / "vqvae" / "config.json").exists()
    config = json.loads((upstream_dir / "config.json").read_text())
    assert config["image_grid_pinpoints"][0] == [64, 128]  # pixels, as upstream


def test_round_trip_reproduces_logits(tiny_model, upstream_dir, tmp_path):
    assert_same_model(tiny_model, load_upstream(upstream_dir))
    convert_main(["--upstream", str(upstream_dir), "--out", str(tmp_path / "ours")])
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == ["config.json", "model.safetensors"]
    assert_same_model(tiny_model, load_checkpoint(tmp_path / "ours"))


def test_single_file_layout_and_dtype(tiny_model, tmp_path):
    write_upstream_checkpoint(tiny_model, tmp_path / "up", shard_size_bytes=1 << 40)
    assert not (tmp_path / "up" / INDEX_FILE).exists()
    convert_main(["--upstream", str(tmp_path / "up"), "--out", str(tmp_path / "ours"), "--dtype", "bfloat16"])
    loaded = load_checkpoint(tmp_path / "ours")
    assert {p.dtype for p in loaded.parameters()} == {torch.bfloat16}
    expected = tiny_model.state_dict()
    assert all(torch.equal(v, expected[k].to(torch.bfloat16)) for k, v in loaded.state_dict().items())


def rewrite_shard(directory: Path, key: str, edit) -> None:
    """Applies `edit` to the tensors of the shard holding `key` and updates the index accordingly."""
    index = json.loads((directory / INDEX_FILE).read_text())
    shard = index["weight_map"][key]
    tensors = load_file(directory / shard)
    edit(tensors)
    save_file(tensors, directory / shard)
    index["weight_map"] = {k: f for k, f in index["weight_map"].items() if f != shard} | dict.fromkeys(tensors, shard)
    (directory / INDEX_FILE).write_text(json.dumps(index))


def test_missing_keys_are_all_listed(broken_dir):
    gone = ["model.transformer.wte.weight", "model.mm_projector.0.bias"]
    for key in gone:
        rewrite_shard(broken_dir, key, lambda tensors: tensors.pop(key))
    with pytest.raises(CheckpointMismatchError) as error:
        load_upstream(broken_dir)
    message = str(error.value)
    assert "missing (2):\n  model.mm_projector.0.bias\n  model.transformer.wte.weight" in message
    assert "unexpected" not in message


def test_unexpected_keys_are_all_listed(broken_dir):
    extra = ["lm_head.weight", "model.transformer.blocks.0.attn_out_vision.weight"]
    rewrite_shard(
        broken_dir, "model.transformer.wte.weight", lambda tensors: tensors.update({k: torch.zeros(2) for k in extra})
    )
    with pytest.raises(CheckpointMismatchError, match="unexpected \\(2\\):\n  " + "\n  ".join(sorted(extra))):
        load_upstream(broken_dir)


def test_missing_vqvae_folder_lists_vq_keys(broken_dir):
    shutil.rmtree(broken_dir / "vqvae")
    with pytest.raises(CheckpointMismatchError, match="model.vqvae.quantize.embedding.weight"):
        load_upstream(broken_dir)


def test_shape_mismatch_fails(broken_dir):
    key = "model.image_newline"
    rewrite_shard(broken_dir, key, lambda tensors: tensors.update({key: tensors[key][:-1].clone()}))
    width = get_preset("tiny").d_model
    with pytest.raises(
        CheckpointMismatchError,
        match=f"shape mismatch \\(1\\):\n  {key}: checkpoint \\[{width - 1}\\] vs model \\[{width}\\]",
    ):
        load_upstream(broken_dir)


def test_unsupported_upstream_setting_fails(broken_dir):
    config = json.loads((broken_dir / "config.json").read_text())
    config["mm_projector_type"] = "linear"
    (broken_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="mm_projector_type"):
        load_upstream(broken_dir)


def test_vision_dims_from_tensor_shapes(broken_dir, tiny_model):
    config = json.loads((broken_dir / "config.json").read_text())
    del config["vision_config"]
    (broken_dir / "config.json").write_text(json.dumps(config))
    vision = load_upstream(broken_dir).config.vision
    expected = tiny_model.config.vision
    assert (
        vision.hidden_size,
        vision.intermediate_size,
        vision.num_hidden_layers,
        vision.image_size,
        vision.patch_size,
    ) == (
        expected.hidden_size,
        expected.intermediate_size,
        expected.num_hidden_layers,
        expected.image_size,
        expected.patch_size,
    )
    assert vision.num_attention_heads == 16  # SigLIP-so400m's, which shapes cannot tell


def test_save_checkpoint_replaces_atomically(tiny_model, tmp_path):
    target = tmp_path / "ckpt"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    save_checkpoint(tiny_model, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no temp or old folders left
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "model.safetensors"]
    mode = lambda name: (target / name).stat().st_mode & 0o777
    assert mode("model.safetensors") == mode("config.json")  # not safetensors' 0600


def test_float16_storage_halves_the_file_and_loads_back_in_float32(tiny_model, tmp_path):
    save_checkpoint(tiny_model, tmp_path / "full")
    save_checkpoint(tiny_model, tmp_path / "half", storage_dtype=torch.float16)
    size = lambda name: (tmp_path / name / "model.safetensors").stat().st_size
    assert 0.45 < size("half") / size("full") < 0.55
    loaded = load_checkpoint(tmp_path / "half")
    assert {p.dtype for p in loaded.parameters()} == {torch.float32}
    expected = tiny_model.state_dict()
    assert all(torch.equal(v, expected[k].half().float()) for k, v in loaded.state_dict().items())
    assert not all(torch.equal(v, expected[k]) for k, v in loaded.state_dict().items())  # it was narrowed


def test_a_checkpoint_over_a_base_stores_what_changed_and_loads_whole_wherever_both_move(tiny_model, tmp_path):
    stages = tmp_path / "stages"
    save_checkpoint(tiny_model, stages / "base", storage_dtype=torch.float16)
    changed = copy.deepcopy(tiny_model)
    with torch.no_grad():
        for param in changed.model.mm_projector.parameters():
            param.add_(0.1)
    save_checkpoint(changed, stages / "stage", storage_dtype=torch.float16, base=stages / "base")
    stored = load_file(stages / "stage" / "model.safetensors")
    assert sorted(stored) == sorted(
        f"model.mm_projector.{name}" for name, _ in changed.model.mm_projector.named_parameters()
    )
    shutil.move(stages, tmp_path / "moved")  # the base is named relative to the folder
    loaded = load_checkpoint(tmp_path / "moved" / "stage").state_dict()
    assert {v.dtype for v in loaded.values() if v.is_floating_point()} == {torch.float32}
    expected = changed.state_dict()
    assert all(torch.equal(v, expected[k].half().float()) for k, v in loaded.items())  # as a whole float16 save
    shutil.rmtree(tmp_path / "moved" / "base")
    with pytest.raises(FileNotFoundError, match="the base of"):
        load_checkpoint(tmp_path / "moved" / "stage")


def test_a_checkpoint_saved_over_itself_is_refused_on_load_not_looped(tiny_model, tmp_path):
    save_checkpoint(tiny_model, tmp_path / "ckpt")
    save_checkpoint(tiny_model, tmp_path / "ckpt", base=tmp_path / "ckpt")  # nothing differs: an empty file
    assert load_file(tmp_path / "ckpt" / "model.safetensors") == {}
    with pytest.raises(ValueError, match="cycle"):
        load_checkpoint(tmp_path / "ckpt")


def test_narrow_storage_refuses_values_it_cannot_hold(tmp_path):
    model = LavidaForMaskedDiffusion(get_preset("tiny")).eval()
    with torch.no_grad():
        model.model.mm_projector[0].bias[0] = 1e6
    with pytest.raises(ValueError, match=r"mm_projector\.0\.bias"):
        save_checkpoint(model, tmp_path / "ckpt", storage_dtype=torch.float16)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_released_config_maps_to_the_10b_preset():
    """The fields of LaViDa-O-v1.0's config.json (reference §4.2) give our lavida-o-10b preset."""
    released = {
        "model_type": "llava_llada",
        "block_type": "llama",
        "d_model": 4096,
        "d_model_gen": 2048,
        "n_layers": 32,
        "n_heads": 32,
        "n_kv_heads": 32,
        "effective_n_kv_heads": 32,
        "mlp_hidden_size": 12288,
        "mlp_hidden_size_gen": 8192,
        "mlp_ratio": 4,
        "dual_tower": True,
        "dual_tower_layers": 16,
        "enc_use_image_branch": True,
        "downsample": True,
        "gen_mlp_type": "dit2",
        "vocab_size": 127378,
        "embedding_size": 127378,
        "mask_token_id": 126336,
        "eos_token_id": 126081,
        "pad_token_id": 126081,
        "max_sequence_length": 4096,
        "rope": True,
        "rope_theta": 500000.0,
        "layer_norm_type": "rms",
        "rms_norm_eps": 1e-05,
        "activation_type": "silu",
        "include_bias": False,
        "weight_tying": False,
        "tie_word_embeddings": False,
        "mm_vision_tower": "google/siglip-so400m-patch14-384",
        "mm_hidden_size": 1152,
        "mm_vision_select_layer": -2,
        "mm_vision_select_feature": "patch",
        "mm_projector_type": "mlp2x_gelu",
        "mm_resampler_type": "spatial_pool",
        "mm_spatial_pool_mode": "conv",
        "mm_spatial_pool_stride": 2,
        "mm_spatial_pool_out_channels": 1152,
        "mm_patch_merge_type": "spatial_unpad",
        "mm_newline_position": "grid",
        "image_aspect_ratio": "anyres",
        "image_grid_pinpoints": [[384, 768], [768, 384], [768, 768], [1152, 384], [384, 1152]],
        "tokenizer_model_max_length": 8192,
    }
    preset = get_preset("lavida-o-10b")
    shapes = {k: tuple(v.shape) for k, v in build_on_meta(preset).state_dict().items()}
    assert config_from_upstream(released, None, shapes) == preset
    written = upstream_config_dict(preset)
    assert set(written) - set(released) == {"architectures", "vision_config", "image_gen_size"}
    assert all(written[k] == v for k, v in released.items() if k in written)
