"""Does a checkpoint read its images? Per family on the world's eval split:

    python -m lavida_r1.diagnose --checkpoint DIR [--n 64] [--seed 0] [--json OUT] [--tokenizer FILE]

- CE (teacher-forced, the SFT loss's complementary pair, fixed generator seed) over the answer tokens (inside
  `<answer>…</answer>`; grounding: the four LOC tokens) and over all non-padding answer tokens, with the true
  images and with the images shuffled within the batch; reliance = shuffled − true (`lavida_r1.diagnostics`);
- the image/text embedding norm ratio entering the backbone (`sft.monitor.embedding_norm_ratio`) and how much an
  image's embeddings differ from one another (`sft.monitor.image_token_spread`; near 0: a collapsed pathway);
- greedy decoding with the reference pipelines at the checkpoint's canvases: the share of parseable `<answer>`s
  and the EOS share of the SFT target's canvas (text families); the share of valid boxes (x2 > x1, y2 > y1) and
  the mean absolute edge error in pixels (grounding).

With `--reading`, also the training family `read` per glyph scale (one number or word alone on the image) and
`name` per size band (one object alone, "pink triangle"): their reliance and the share of greedy outputs that are
exactly the text, the skills every QA family builds on.
With `--kinds math,chart,...`, also one row per kind of those families (`math:digit_list`, ...; multiple choice in
its standard setting): a family's reliance averages kinds that need different skills, and one kind that reads its
image is hidden among several that do not.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from .data.batch import collate
from .data.examples import DEFAULT_ANSWER_LENGTHS, ExampleBuilder
from .diagnostics import RelianceGap, image_reliance_gap
from .inference import Pipeline, answer_question, ground
from .model import LavidaForMaskedDiffusion, load_checkpoint
from .model.canvases import Canvases, read_canvases
from .scoring import extract_answer
from .sft.monitor import embedding_norm_ratio, image_token_spread
from .tokenizer import TOKENIZER_HELP, load_tokenizer, tokenizer_for
from .world import Sample, generate
from .world.generate import kinds
from .world.perception_tasks import NAME_SIZES, READ_SCALES

# Table rows: (name, world family, generate options). Multiple choice is measured per setting.
ROWS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("math", "math", {}),
    ("chart", "chart", {}),
    ("mcq-standard", "mcq", {"setting": "standard"}),
    ("mcq-vision", "mcq", {"setting": "vision"}),
    ("grounding", "grounding", {}),
)
SHORT_FAMILIES = ("read", "name")  # one short text, decoded over its own small canvas and scored exactly
READING_ROWS: tuple[tuple[str, str, dict[str, Any]], ...] = tuple(
    (f"read-{kind}", "read", {"kind": kind}) for kind in READ_SCALES
) + tuple((f"name-{kind}", "name", {"kind": kind}) for kind in NAME_SIZES)
KIND_FAMILIES = ("math", "chart", "mcq", "grounding")  # the families `--kinds` breaks down


def kind_rows(families: tuple[str, ...]) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """One row per kind of each of `families` (KIND_FAMILIES)."""
    unknown = sorted(set(families) - set(KIND_FAMILIES))
    if unknown:
        raise ValueError(f"--kinds: unknown families {unknown}; expected some of {list(KIND_FAMILIES)}")
    return tuple((f"{family}:{kind}", family, {"kind": kind}) for family in families for kind in kinds(family))


@dataclass
class FamilyDiagnosis:
    row: str
    n: int
    reliance: RelianceGap
    norm_ratio: float
    image_spread: float
    parseable: float | None = None  # text families
    eos_share: float | None = None  # text families
    valid_boxes: float | None = None  # grounding
    edge_error_px: float | None = None  # grounding
    exact: float | None = None  # read, name: greedy output equal to the target text


def builder_for(model: LavidaForMaskedDiffusion, tokenizer_path: Path, canvases: Canvases) -> ExampleBuilder:
    lengths = {**canvases.vqa(), "edit": canvases.edit_plan} | {f: DEFAULT_ANSWER_LENGTHS[f] for f in SHORT_FAMILIES}
    return ExampleBuilder(model.config, load_tokenizer(tokenizer_path, model.config), lengths, False, model.model.vqvae)


def diagnose_row(
    model: LavidaForMaskedDiffusion, builder: ExampleBuilder, pipe: Pipeline, row: str, samples: list[Sample], seed: int
) -> FamilyDiagnosis:
    c = model.config
    examples = [builder.build(s) for s in samples]
    batch = collate(examples, c)
    result = FamilyDiagnosis(
        row,
        len(samples),
        image_reliance_gap(model, builder, samples, seed),
        embedding_norm_ratio(model, batch),
        image_token_spread(model, batch),
    )
    family = samples[0].family
    if family == "grounding":
        boxes = [ground(pipe, s.prompt, s.image) for s in samples]
        result.valid_boxes = sum(b[2] > b[0] and b[3] > b[1] for b in boxes) / len(boxes)
        errors = [abs(p - t) for b, s in zip(boxes, samples) for p, t in zip(b, s.box)]
        result.edge_error_px = sum(errors) / len(errors)
        return result
    if family in SHORT_FAMILIES:
        reader = pipe.greedy(DEFAULT_ANSWER_LENGTHS[family])
        result.exact = sum(answer_question(reader, s.prompt, s.image).strip() == s.answer for s in samples) / len(
            samples
        )
        return result
    responses = [answer_question(pipe, s.prompt, s.image, family) for s in samples]
    result.parseable = sum(extract_answer(r) is not None for r in responses) / len(responses)
    result.eos_share = sum(e.answer_ids.count(c.eos_token_id) / len(e.answer_ids) for e in examples) / len(examples)
    return result


def diagnose(
    model: LavidaForMaskedDiffusion,
    tokenizer_path: Path,
    canvases: Canvases,
    n: int,
    seed: int = 0,
    reading: bool = False,
    kinds_of: tuple[str, ...] = (),
) -> list[FamilyDiagnosis]:
    """Every row of ROWS (READING_ROWS with `reading`, then `kind_rows(kinds_of)`) on eval samples 0..n-1 of the
    world seeded with `seed`; `seed` also draws the masks and the image derangements."""
    model.eval()
    builder = builder_for(model, tokenizer_path, canvases)
    pipe = Pipeline(model, builder.tokenizer, canvases=canvases)
    return [
        diagnose_row(model, builder, pipe, row, [generate(family, "eval", i, seed, **options) for i in range(n)], seed)
        for row, family, options in ROWS + (READING_ROWS if reading else ()) + kind_rows(kinds_of)
    ]


COLUMNS = (
    "family",
    "n",
    "CE ans true",
    "CE ans shuffled",
    "reliance ans",
    "CE non-pad true",
    "CE non-pad shuffled",
    "reliance non-pad",
    "img/txt norm",
    "img spread",
    "parseable",
    "EOS share",
    "valid boxes",
    "edge err px",
    "exact",
)


def table(results: list[FamilyDiagnosis]) -> str:
    """A Markdown table, one row per family (— where a measure does not apply)."""
    cell = lambda v, digits=3: "—" if v is None else f"{v:.{digits}f}"
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        g = r.reliance
        values = [
            r.row,
            str(r.n),
            cell(g.answer_true),
            cell(g.answer_shuffled),
            cell(g.answer_gap),
            cell(g.non_padding_true),
            cell(g.non_padding_shuffled),
            cell(g.non_padding_gap),
            cell(r.norm_ratio, 1),
            cell(r.image_spread),
            cell(r.parseable, 2),
            cell(r.eos_share, 2),
            cell(r.valid_boxes, 2),
            cell(r.edge_error_px, 1),
            cell(r.exact, 2),
        ]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def to_json(results: list[FamilyDiagnosis]) -> dict[str, dict[str, Any]]:
    """By row: every field, the reliance with its two gaps."""
    out = {}
    for r in results:
        fields = asdict(r)
        fields["reliance"].update(answer_gap=r.reliance.answer_gap, non_padding_gap=r.reliance.non_padding_gap)
        out[fields.pop("row")] = fields
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True, help="model folder (config.json + model.safetensors)")
    parser.add_argument("--tokenizer", type=Path, help=TOKENIZER_HELP)
    parser.add_argument("--n", type=int, default=64, help="held-out samples per family (at least 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--reading", action="store_true", help="also the `read` family per glyph scale and `name` per size band"
    )
    parser.add_argument(
        "--kinds",
        default="",
        help=f"also one row per kind of these comma-separated families ({','.join(KIND_FAMILIES)})",
    )
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("--n must be at least 2 (images are shuffled among the samples)")
    kinds_of = tuple(f for f in args.kinds.split(",") if f)
    try:
        kind_rows(kinds_of)
    except ValueError as error:
        parser.error(str(error))
    torch.set_num_threads(args.threads)
    tokenizer = tokenizer_for(args.checkpoint, args.tokenizer)
    results = diagnose(
        load_checkpoint(args.checkpoint),
        tokenizer,
        read_canvases(args.checkpoint),
        args.n,
        args.seed,
        args.reading,
        kinds_of,
    )
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2) + "\n")


if __name__ == "__main__":
    main()
