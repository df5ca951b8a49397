"""make_benchmarks: byte-identical output per seed, and files that read back with the release schemas."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from lavida_r1.world import EDIT_TYPES
from lavida_r1.world.judge_prompts import LABELS
from lavida_r1.world.make_benchmarks import main, make_benchmarks

SIZE = 18  # two rounds of the nine edit types
IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench_a")
    make_benchmarks(out, seed=3, size=SIZE)
    return out


def test_same_seed_is_byte_identical_and_seed_matters(bench, tmp_path, capsys):
    main(["--out", str(tmp_path / "b"), "--seed", "3", "--size", str(SIZE)])
    assert "[make_benchmarks]" in capsys.readouterr().err, "no progress on stderr"
    first, second = _tree(bench), _tree(tmp_path / "b")
    assert first.keys() == second.keys() and len(first) == 4 * SIZE + 8  # 4 image sets + 8 data files
    assert [k for k in first if first[k] != second[k]] == []
    make_benchmarks(tmp_path / "c", seed=4, size=SIZE, only=["mathvista"])
    name = "MathVista/data/testmini-00000-of-00001-725687bf7a18d64b.parquet"
    assert (tmp_path / "c" / name).read_bytes() != first[name]


def _decode(cell: dict) -> Image.Image:
    image = Image.open(io.BytesIO(cell["bytes"]))
    image.load()
    return image


def test_mathvista_schema(bench):
    table = pq.read_table(bench / "MathVista/data/testmini-00000-of-00001-725687bf7a18d64b.parquet")
    s = table.schema
    assert s.names == [
        "pid",
        "question",
        "image",
        "decoded_image",
        "choices",
        "unit",
        "precision",
        "answer",
        "question_type",
        "answer_type",
        "metadata",
        "query",
    ]
    assert s.field("decoded_image").type == IMAGE and s.field("precision").type == pa.float64()
    assert pa.types.is_list(s.field("choices").type) and s.field("choices").type.value_type == pa.string()
    meta = s.field("metadata").type
    assert [meta.field(i).name for i in range(meta.num_fields)] == [
        "category",
        "context",
        "grade",
        "img_height",
        "img_width",
        "language",
        "skills",
        "source",
        "split",
        "task",
    ]
    assert meta.field("img_height").type == pa.int64() and pa.types.is_list(meta.field("skills").type)
    assert "huggingface" in json.dumps({k.decode(): v.decode() for k, v in s.metadata.items()})
    rows = table.to_pylist()
    assert [r["pid"] for r in rows] == [str(i) for i in range(1, SIZE + 1)]
    for r in rows:
        assert _decode(r["decoded_image"]).size == (r["metadata"]["img_width"], r["metadata"]["img_height"])
        assert r["question_type"] in ("multi_choice", "free_form")
        assert (r["choices"] is None) == (r["question_type"] == "free_form")
        assert (r["precision"] is None) == (r["answer_type"] != "float")
        assert r["query"].startswith("Hint: ") and isinstance(r["answer"], str)


def test_chartqa_files(bench):
    root = bench / "ChartQA/ChartQA Dataset/test"
    human = json.loads((root / "test_human.json").read_text())
    augmented = json.loads((root / "test_augmented.json").read_text())
    assert len(human) + len(augmented) == SIZE and human and augmented
    for rec in human + augmented:
        assert set(rec) == {"imgname", "query", "label"} and all(isinstance(v, str) for v in rec.values())
        assert (root / "png" / rec["imgname"]).is_file()


def test_mmmu_pro_schemas(bench):
    std = pq.read_table(bench / "MMMU_Pro/standard (10 options)/test-00000-of-00001.parquet")
    vis = pq.read_table(bench / "MMMU_Pro/vision/test-00000-of-00001.parquet")
    assert std.schema.names == ["id", "question", "options", "explanation"] + [f"image_{k}" for k in range(1, 8)] + [
        "img_type",
        "answer",
        "topic_difficulty",
        "subject",
    ]
    assert vis.schema.names == ["id", "image", "options", "answer", "subject"]
    assert std.schema.field("options").type == pa.string() and std.schema.field("image_1").type == IMAGE
    assert vis.schema.field("image").type == IMAGE
    for s, v in zip(std.to_pylist(), vis.to_pylist()):
        options = ast.literal_eval(s["options"])
        assert isinstance(options, list) and 2 <= len(options) <= 10 and s["options"] == v["options"]
        assert s["answer"] == v["answer"] and s["answer"] in "ABCDEFGHIJ"[: len(options)]
        assert "<image 1>" in s["question"] and s["image_2"] is None and s["id"] == v["id"]
        assert ast.literal_eval(s["img_type"]) == ["Diagrams"]
        assert _decode(v["image"]).height > _decode(s["image_1"]).height


def test_lisa_file(bench):
    root = bench / "lisa_grounding"
    records = json.loads((root / "lisa_test.json").read_text())
    assert isinstance(records, list) and len(records) == SIZE
    for rec in records:
        assert set(rec) == {"image", "problem", "solution"}
        x1, y1, x2, y2 = rec["solution"]
        assert all(isinstance(c, float) for c in rec["solution"])
        w, h = Image.open(root / "lisa_test" / rec["image"]).size
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h


def test_imgedit_files(bench):
    root = bench / "ImgEdit/Benchmark/singleturn"
    items = json.loads((root / "singleturn.json").read_text())
    assert len(items) == SIZE and all(k.isdigit() for k in items)
    assert {i["edit_type"] for i in items.values()} == set(EDIT_TYPES)
    assert (root / "daily object").is_dir()
    for key, item in items.items():
        assert set(item) == {"id", "prompt", "edit_type"}
        assert (root / item["id"]).is_file() and (bench / "ImgEdit/world_targets" / f"{key}.png").is_file()
    prompts = json.loads((root / "judge_prompt.json").read_text())
    assert set(prompts) == set(EDIT_TYPES)
    for edit_type, text in prompts.items():
        assert "<edit_prompt>" in text
        assert all(f"\n{label}: A number from 1 to 5." in text for label in LABELS[edit_type])
