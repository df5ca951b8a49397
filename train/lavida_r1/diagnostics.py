"""Does a checkpoint read its images? Teacher-forced measurements cheap enough for a training loop.

- `image_reliance_gap`: the answer-token cross-entropy with every row's image replaced by another row's (a
  derangement within the batch), minus that with the true images. The complementary-masking pair of the SFT
  loss (`sft.loss.token_cross_entropy`) scores both, with the same generator seed, so the two forwards differ
  only in the images. About 0 for a model that ignores its images.
- `answer_token_masks`: which answer positions count. "Answer tokens" are those inside `<answer>…</answer>`
  (the LOC coordinates for a grounding box), not the reasoning, the tags or the EOS padding; "non-padding"
  tokens are every answer text token before the padding, `<|eot_id|>` included.
- The image/text embedding norm ratio is `sft.monitor.embedding_norm_ratio` (the number the training log records).
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

import torch
from PIL import Image
from torch import Tensor

from .data.batch import collate
from .data.examples import Example, ExampleBuilder
from .model import LavidaForMaskedDiffusion
from .sft.loss import token_cross_entropy
from .world import Sample, sft_target

MIN_IMAGE_RELIANCE_NATS = 1.0
"""Acceptance (issue 13): shuffling the images must raise the answer-token CE by at least this on every QA family."""

OPEN, CLOSE = "<answer>", "</answer>"


def derangement(n: int, rng: random.Random) -> list[int]:
    """A random cyclic permutation of range(n) (Sattolo's algorithm): no index maps to itself; n >= 2."""
    if n < 2:
        raise ValueError(f"a derangement needs at least 2 items (got {n})")
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.randrange(i)
        order[i], order[j] = order[j], order[i]
    return order


def with_image_of(builder: ExampleBuilder, sample: Sample, example: Example, image: Image.Image) -> Example:
    """`example` (built from `sample`; its answer ids kept) asking about `image` instead: the pixels, and the prompt
    rebuilt for that image's `<image>` count (an edit also takes `image` as its source)."""
    rebuilt = builder.build(dataclasses.replace(sample, image=image))
    return dataclasses.replace(example, prompt_ids=rebuilt.prompt_ids, image=rebuilt.image, edit_vq=rebuilt.edit_vq)


def answer_token_masks(builder: ExampleBuilder, sample: Sample, example: Example) -> tuple[Tensor, Tensor]:
    """([A] answer tokens, [A] non-padding text tokens) of `example`, built from `sample` by `builder`.

    Answer tokens: the LOC coordinate tokens of a box answer (`<LOC_BEGIN>` first); else the tokens overlapping
    the characters inside the target's `<answer>…</answer>`; a target without the tags (captions, edit plans)
    counts all its tokens."""
    c = builder.config
    ids = torch.tensor(example.answer_ids)
    non_padding = (ids != c.eos_token_id) & (ids != c.gen_token_id)
    if example.answer_ids[0] == c.loc_begin_id:
        return (ids >= c.loc_token_offset) & (ids < c.loc_token_offset + c.num_loc_bins), non_padding
    target = sft_target(sample)
    encoding = builder.tokenizer.encode(target, add_special_tokens=False)
    if encoding.ids != example.answer_ids[: len(encoding.ids)]:
        raise ValueError(f"{sample.id}: the example's answer is not the tokenized SFT target")
    start = target.find(OPEN)
    if start < 0:
        return non_padding, non_padding
    start += len(OPEN)
    end = target.index(CLOSE, start)
    inside = torch.zeros_like(non_padding)
    for position, (a, b) in enumerate(encoding.offsets):
        inside[position] = a < end and b > start
    return inside, non_padding


@dataclass
class RelianceGap:
    """Mean cross-entropy (nats per token) with the true and the shuffled images, over the answer tokens and over
    all non-padding answer tokens."""

    answer_true: float
    answer_shuffled: float
    non_padding_true: float
    non_padding_shuffled: float

    @property
    def answer_gap(self) -> float:
        return self.answer_shuffled - self.answer_true

    @property
    def non_padding_gap(self) -> float:
        return self.non_padding_shuffled - self.non_padding_true


@torch.no_grad()
def image_reliance_gap(
    model: LavidaForMaskedDiffusion, builder: ExampleBuilder, samples: list[Sample], seed: int, batch_size: int = 32
) -> RelianceGap:
    """Shuffled-image minus true-image cross-entropy of `samples` (two or more, one family so their answers share
    a canvas), teacher-forced with the SFT loss's complementary pair; the caller sets eval mode.

    The samples run in batches of `batch_size` to `2 * batch_size - 1` rows; within each batch the images follow a
    derangement drawn from `seed`, and both forwards use the mask generator seeded with `seed`. Costs four
    forward passes of the batch (a pair each) plus one image preprocessing per sample."""
    rng = random.Random(seed)
    totals = {key: 0.0 for key in ("answer_true", "answer_shuffled", "non_padding_true", "non_padding_shuffled")}
    counts = {"answer": 0, "non_padding": 0}
    for chunk in torch.arange(len(samples)).tensor_split(max(1, len(samples) // batch_size)):
        group = [samples[i] for i in chunk.tolist()]
        true = [builder.build(s) for s in group]
        order = derangement(len(group), rng)
        shuffled = [with_image_of(builder, s, e, group[j].image) for s, e, j in zip(group, true, order)]
        answer, non_padding = (
            torch.stack(m) for m in zip(*(answer_token_masks(builder, s, e) for s, e in zip(group, true)))
        )
        counts["answer"] += int(answer.sum())
        counts["non_padding"] += int(non_padding.sum())
        for images, examples in (("true", true), ("shuffled", shuffled)):
            ce = token_cross_entropy(model, collate(examples, model.config), torch.Generator().manual_seed(seed))
            totals[f"answer_{images}"] += float(ce[answer].double().sum())
            totals[f"non_padding_{images}"] += float(ce[non_padding].double().sum())
    return RelianceGap(**{key: value / counts[key.rsplit("_", 1)[0]] for key, value in totals.items()})
