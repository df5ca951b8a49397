"""The local VQ tokenizers (no mid-block attention; one cell per encoder pass) through the converter and the ONNX
export of the VQ graphs."""

import numpy as np
import onnxruntime as ort
import pytest
import torch

from lavida_r1.export.onnx_io import export_graph
from lavida_r1.export.specs import GRAPHS
from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.model.generation import vq_decode, vq_encode
from lavida_r1.model.upstream import load_upstream, write_upstream_checkpoint
from lavida_r1.vq import adopt_vqvae, load_vqvae_into, save_vqvae

# preset -> the vqvae/config.json setting that tells it from `tiny`
LOCAL_PRESETS = {"tiny-local-vq": "mid_block_add_attention", "tiny-cell-vq": "encode_cells"}


@pytest.fixture(scope="module", params=sorted(LOCAL_PRESETS))
def local_model(request) -> LavidaForMaskedDiffusion:
    torch.manual_seed(0)
    return LavidaForMaskedDiffusion(get_preset(request.param)).eval()


def preset_of(model: LavidaForMaskedDiffusion) -> str:
    return "tiny-cell-vq" if model.config.vq.encode_cells else "tiny-local-vq"


def test_upstream_round_trip_keeps_the_local_vq(local_model, tmp_path):
    write_upstream_checkpoint(local_model, tmp_path, shard_size_bytes=1 << 30)
    loaded = load_upstream(tmp_path)
    assert loaded.config == local_model.config != get_preset("tiny")
    pixels = torch.rand(2, 3, 64, 64) * 2 - 1
    assert torch.equal(vq_encode(loaded.model.vqvae, pixels), vq_encode(local_model.model.vqvae, pixels))


def test_a_local_vq_loads_only_into_a_local_model(local_model, tmp_path):
    preset = preset_of(local_model)
    save_vqvae(local_model.model.vqvae, tmp_path)
    load_vqvae_into(LavidaForMaskedDiffusion(get_preset(preset)), tmp_path)
    with pytest.raises(ValueError, match=LOCAL_PRESETS[preset]):
        load_vqvae_into(LavidaForMaskedDiffusion(get_preset("tiny")), tmp_path)


def test_a_global_vq_does_not_load_into_a_cell_model(tmp_path):
    save_vqvae(LavidaForMaskedDiffusion(get_preset("tiny")).model.vqvae, tmp_path)
    with pytest.raises(ValueError, match="encode_cells"):
        load_vqvae_into(LavidaForMaskedDiffusion(get_preset("tiny-cell-vq")), tmp_path)


def test_cell_encoding_keeps_every_unchanged_cell_code():
    """Any weights: a code depends on its own cell's pixels only, so an edit keeps every other cell's code."""
    torch.manual_seed(1)
    vqvae = LavidaForMaskedDiffusion(get_preset("tiny-cell-vq")).model.vqvae.eval()
    source = torch.rand(3, 3, 64, 64, generator=torch.Generator().manual_seed(2)) * 2 - 1
    target = source.clone()
    target[:, :, 5:19, 30:41] = 0.5  # touches cells (0..2, 3..5)
    same = vq_encode(vqvae, source) == vq_encode(vqvae, target)
    touched = torch.zeros(8, 8, dtype=torch.bool)
    touched[0:3, 3:6] = True
    assert same[:, ~touched].all()
    assert not same[:, touched].all()


@pytest.mark.parametrize("name", ["vq_encode", "vq_decode"])
def test_local_vq_graphs_export_and_match_pytorch(local_model, tmp_path, name):
    spec = next(s for s in GRAPHS if s.name == name)
    [path, *_] = export_graph(local_model, spec, tmp_path, "fp32")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    vqvae = local_model.model.vqvae
    if name == "vq_encode":
        pixels = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(4)) * 2 - 1
        assert np.array_equal(session.run(None, {"pixels": pixels.numpy()})[0], vq_encode(vqvae, pixels).numpy())
    else:
        ids = torch.randint(0, 1024, (2, 8, 8), generator=torch.Generator().manual_seed(5))
        decoded = session.run(None, {"vq_ids": ids.numpy()})[0]
        assert np.abs(decoded - vq_decode(vqvae, ids).numpy()).max() <= 1e-4


def test_a_model_adopts_a_retrained_tokenizer_with_its_settings(tmp_path):
    torch.manual_seed(3)
    cell = LavidaForMaskedDiffusion(get_preset("tiny-cell-vq")).model.vqvae.eval()
    save_vqvae(cell, tmp_path)
    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    adopt_vqvae(model, tmp_path)
    assert model.config.vq == get_preset("tiny-cell-vq").vq and model.model.config is model.config
    pixels = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(6)) * 2 - 1
    assert torch.equal(vq_encode(model.model.vqvae.eval(), pixels), vq_encode(cell, pixels))


def test_a_tokenizer_with_another_codebook_size_is_not_adopted(tmp_path):
    other = get_preset("tiny-cell-vq")
    other.vq.num_vq_embeddings = 512
    save_vqvae(LavidaForMaskedDiffusion(other).model.vqvae, tmp_path)
    with pytest.raises(ValueError, match="512 codes"):
        adopt_vqvae(LavidaForMaskedDiffusion(get_preset("tiny")), tmp_path)
