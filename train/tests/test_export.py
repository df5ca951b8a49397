"""ONNX export: per-graph parity with PyTorch (random inputs and world samples), the manifest schema and
package verification."""

import json
import shutil

import jsonschema
import numpy as np
import pytest
import torch
from PIL import Image

from lavida_r1 import prompts
from lavida_r1.data.examples import image_to_vq
from lavida_r1.export import PackageError, verify_package
from lavida_r1.export.manifest import load_schema
from lavida_r1.export.ort_pipeline import edit_source
from lavida_r1.export.package import export_package
from lavida_r1.export.runtime import OrtPackage, package_canvases
from lavida_r1.model.canvases import Canvases
from lavida_r1.model.generation import vq_decode, vq_encode
from lavida_r1.model.image_processing import process_anyres
from lavida_r1.model.vision import count_image_tokens
from lavida_r1.tokenizer import DEFAULT_TOKENIZER
from lavida_r1.world import generate

TOL = 1e-4
CANVASES = Canvases(math=64, chart=80, mcq=48, edit_plan=64)


@pytest.fixture(scope="module")
def package_dir(tiny_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "pkg"
    export_package(
        tiny_model,
        out,
        DEFAULT_TOKENIZER,
        "fp32",
        {"checkpoint": "test", "checkpoint_sha256": {}, "data_seed": 0, "eval": None},
        CANVASES,
    )
    return out


@pytest.fixture(scope="module")
def package(package_dir):
    return OrtPackage(package_dir)


def close(onnx_value, torch_value, tol=TOL):
    diff = np.abs(onnx_value - torch_value.numpy())
    assert diff.max() <= tol, diff.max()


def world_prompt(model, package, family, index=0):
    sample = generate(family, "eval", index)
    c = model.config
    image = process_anyres(sample.image, c)
    n = count_image_tokens(c, image.grid, image.original_size)
    ids = prompts.prompt_ids(package.tokenizer, c, sample.prompt, n, False, edit=family == "edit")
    return sample, image, torch.tensor([ids])


@pytest.mark.parametrize("size", [(96, 40), (50, 140), (64, 64)])
def test_vision_graph_matches_encode_image(tiny_model, package, size):
    rng = np.random.default_rng(sum(size))
    image = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    processed = process_anyres(image, tiny_model.config)
    with torch.no_grad():
        expected = tiny_model.encode_image(processed)
    close(package.encode_image(processed), expected)


def test_backbone_prefill_and_steps_match_pytorch(tiny_model, package):
    """An edit sample exercises every input: image features, edit VQ in the prefill, gen VQ in the step."""
    c = tiny_model.config
    sample, image, ids = world_prompt(tiny_model, package, "edit")
    with torch.no_grad():
        features = tiny_model.encode_image(image)[None]
        source = image_to_vq(tiny_model.model.vqvae, sample.image, c.vq.image_size)[None]
        cache = tiny_model(ids, image_features=features, edit_vq=source, use_cache=True).cache
    assert np.array_equal(edit_source(package, sample.image), source.numpy())
    ort_cache = package.prefill(ids.numpy(), np.ones_like(ids.numpy()), features.numpy(), source.numpy())
    close(ort_cache.keys, torch.stack(cache.keys))
    close(ort_cache.values, torch.stack(cache.values))
    assert np.array_equal(ort_cache.gen_mask, cache.gen_mask.numpy())

    grid = c.vq.grid_size
    gen = torch.randint(0, c.vq.num_vq_embeddings, (1, grid, grid), generator=torch.Generator().manual_seed(1))
    gen[0, :3] = c.image_mask_token_id
    answer = torch.tensor(
        [[c.mask_token_id, 40, c.mask_token_id] + [c.gen_token_id] * prompts.vq_slots(c) + [c.eot_token_id]]
    )
    positions = ids.shape[1] + torch.arange(answer.shape[1])[None]
    with torch.no_grad():
        out = tiny_model(answer, gen_vq=gen, position_ids=positions, past=cache)
    text_positions = np.array([[0, 1, 2, answer.shape[1] - 1]])
    ort = package.backbone(
        answer.numpy(), positions.numpy(), ort_cache, gen_vq=gen.numpy(), text_positions=text_positions
    )
    logits = out.logits[0, text_positions[0]]
    close(ort.text_confidence[0], torch.softmax(logits.double(), -1).amax(-1).float())
    assert np.array_equal(ort.text_ids[0], logits.argmax(-1).numpy())
    close(ort.vq_confidence[0], torch.softmax(out.image_logits[0].double(), -1).amax(-1).float())
    assert np.array_equal(ort.vq_ids[0], out.image_logits[0].argmax(-1).numpy())
    logit_out = package.sessions["backbone"].run(
        ["vq_logits"],
        {
            **dict(zip(["input_ids", "position_ids"], [answer.numpy(), positions.numpy()])),
            "attention_mask": np.ones((1, ids.shape[1] + answer.shape[1]), np.int64),
            "past_gen_mask": ort_cache.gen_mask,
            "past_keys": ort_cache.keys,
            "past_values": ort_cache.values,
            "image_features": np.zeros((1, 0, c.d_model), np.float32),
            "edit_vq": np.zeros((1, 0, 0), np.int64),
            "gen_vq": gen.numpy(),
            "text_positions": text_positions,
            "vocab_range": np.array([0, c.embedding_size]),
        },
    )[0]
    close(logit_out[0], out.image_logits[0])


@pytest.mark.parametrize("graph", ["backbone", "backbone_text"])
def test_backbone_left_padded_batch_and_loc_range(tiny_model, package, graph):
    """Random text rows, left padding, empty past (fully bidirectional) and a restricted vocabulary."""
    c = tiny_model.config
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 500, (2, 9), generator=g)
    ids[1, :3] = c.eos_token_id
    mask = torch.ones_like(ids)
    mask[1, :3] = 0
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    with torch.no_grad():
        logits = tiny_model(ids, attention_mask=mask, position_ids=positions).logits
    loc = (c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)
    text_positions = np.tile(np.arange(9), (2, 1))
    out = package.backbone(
        ids.numpy(),
        positions.numpy(),
        package.empty_cache(2),
        mask.numpy(),
        text_positions=text_positions,
        vocab_range=loc,
        graph=graph,
    )
    restricted = logits[..., loc[0] : loc[1]].double()
    for row in (0, 1):
        real = mask[row].bool()
        close(out.text_confidence[row][real.numpy()], torch.softmax(restricted[row][real], -1).amax(-1).float())
        assert np.array_equal(out.text_ids[row][real.numpy()], restricted[row][real].argmax(-1).numpy() + loc[0])


@pytest.mark.parametrize("family", ["math", "edit"])
def test_text_graph_matches_pytorch_over_any_prefix(tiny_model, package, family):
    """The text-only graph: a VQA prompt's prefill and a text step over its cache; after an edit prompt (image-
    branch keys in the cache, hidden from split blocks) a text step too. ≤ 1e-4, identical argmax."""
    c = tiny_model.config
    sample, image, ids = world_prompt(tiny_model, package, family)
    with torch.no_grad():
        features = tiny_model.encode_image(image)[None]
        source = image_to_vq(tiny_model.model.vqvae, sample.image, c.vq.image_size)[None] if family == "edit" else None
        cache = tiny_model(ids, image_features=features, edit_vq=source, use_cache=True).cache
    if source is None:
        ort_cache = package.prefill(ids.numpy(), np.ones_like(ids.numpy()), features.numpy())
        close(ort_cache.keys, torch.stack(cache.keys))
        close(ort_cache.values, torch.stack(cache.values))
        assert not ort_cache.gen_mask.any()
    else:
        ort_cache = package.prefill(ids.numpy(), np.ones_like(ids.numpy()), features.numpy(), source.numpy())
        assert ort_cache.gen_mask.any()
    answer = torch.tensor([[c.mask_token_id, 40, c.mask_token_id, 77, c.mask_token_id, c.eot_token_id]])
    positions = ids.shape[1] + torch.arange(answer.shape[1])[None]
    with torch.no_grad():
        out = tiny_model(answer, position_ids=positions, past=cache, use_cache=True)
    text_positions = np.tile(np.arange(answer.shape[1]), (1, 1))
    ort = package.backbone(
        answer.numpy(), positions.numpy(), ort_cache, text_positions=text_positions, logits=True, graph="backbone_text"
    )
    close(ort.text_logits[0], out.logits[0])
    close(ort.text_confidence[0], torch.softmax(out.logits[0].double(), -1).amax(-1).float())
    assert np.array_equal(ort.text_ids[0], out.logits[0].argmax(-1).numpy())
    close(ort.present_keys, torch.stack(out.cache.keys))
    close(ort.present_values, torch.stack(out.cache.values))
    assert not ort.present_gen_mask.any()


def test_text_runs_fall_back_to_the_mixed_graph(tiny_model, package_dir):
    """A package without `backbone_text` (exported before it) runs text with the mixed graph."""
    older = OrtPackage(package_dir)
    del older.sessions["backbone_text"]
    ids = np.array([[7, 8, 9]])
    out = older.backbone(ids, np.arange(3)[None], older.empty_cache(1), text_positions=np.arange(3)[None])
    with torch.no_grad():
        logits = tiny_model(torch.from_numpy(ids)).logits
    assert np.array_equal(out.text_ids, logits.argmax(-1).numpy()) and out.vq_ids is not None


def test_vq_graphs_match_pytorch(tiny_model, package):
    c = tiny_model.config
    pixels = torch.rand(2, 3, c.vq.image_size, c.vq.image_size, generator=torch.Generator().manual_seed(4)) * 2 - 1
    assert np.array_equal(package.vq_encode(pixels.numpy()), vq_encode(tiny_model.model.vqvae, pixels).numpy())
    ids = torch.randint(0, c.vq.num_vq_embeddings, (2, c.vq.grid_size, c.vq.grid_size))
    close(package.vq_decode(ids.numpy()), vq_decode(tiny_model.model.vqvae, ids))


def test_manifest_validates_and_describes_the_package(package_dir):
    manifest = verify_package(package_dir)
    schema = load_schema()
    jsonschema.validate(manifest, schema)
    assert set(manifest["graphs"]) == {"vision", "backbone", "backbone_text", "vq_encode", "vq_decode"}
    # the backbone's weights once: the text-only graph reads the mixed graph's external data
    assert manifest["graphs"]["backbone_text"]["external_data"] == manifest["graphs"]["backbone"]["external_data"]
    assert manifest["files"]["backbone_text.onnx"]["bytes"] < manifest["files"]["backbone.onnx.data"]["bytes"] / 50
    assert set(manifest["files"]) == {p.name for p in package_dir.iterdir()} - {"manifest.json"}
    backbone = {v["name"]: v for v in manifest["graphs"]["backbone"]["inputs"]}
    assert backbone["input_ids"]["shape"] == ["batch", "length"] and backbone["past_gen_mask"]["dtype"] == "bool"
    broken = dict(manifest)
    del broken["provenance"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_manifest_records_the_canvases(package_dir, package):
    layout = verify_package(package_dir)["layout"]
    assert layout["sampling"]["canvases"] == {"math": 64, "chart": 80, "mcq": 48}
    assert layout["sampling"]["text"] == {"gen_length": 80, "block_length": 16, "steps": 80, "schedule": "uniform"}
    assert layout["answer_lengths"] == {"math": 64, "chart": 80, "mcq": 48, "edit": 64}
    assert layout["plan_length"] == layout["sampling"]["plan"]["steps"] == 64
    assert package.canvases == CANVASES
    del layout["sampling"]["canvases"]  # a package from before per-family canvases: its one text canvas
    assert package_canvases({"layout": layout}) == Canvases(math=80, chart=80, mcq=80, edit_plan=64)
    with pytest.raises(jsonschema.ValidationError):
        layout["sampling"]["canvases"] = {"math": 64, "chart": 80}
        jsonschema.validate({**verify_package(package_dir), "layout": layout}, load_schema())


def test_tampered_byte_is_refused(package_dir, tmp_path):
    copy = tmp_path / "pkg"
    shutil.copytree(package_dir, copy)
    graph = copy / "backbone.onnx"
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0x01
    graph.write_bytes(bytes(data))
    with pytest.raises(PackageError, match="backbone.onnx fails its checksum"):
        verify_package(copy)
    with pytest.raises(PackageError):
        OrtPackage(copy)


def test_invalid_manifest_is_refused(package_dir, tmp_path):
    copy = tmp_path / "pkg"
    shutil.copytree(package_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = 2
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PackageError, match="does not match the schema at format_version"):
        verify_package(copy)
