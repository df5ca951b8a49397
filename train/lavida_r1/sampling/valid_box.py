"""Valid boxes from LOC logits: the candidates of a grounding pass can only form a box with x2 > x1 and y2 > y1.

The rule, per pass, given the four slots' LOC logits z (x1, y1, x2, y2) and the slots committed so far:

- Scores: a masked slot scores bin v by z(v); a committed slot scores 0 at its bin and -inf elsewhere; a bin
  outside the slot's range (`lavida_r1.boxes.box_bin_ranges`: the bins that keep x2 > x1 in pixels after
  clipping; the bins alone, x1 <= 1023 and x2 >= 1, without an image size) scores -inf.
- Each axis is one pair (lo, hi) = (x1, x2) or (y1, y2) with lo < hi. Greedy: the pair maximising
  s_lo(a) + s_hi(b), i.e. the most probable valid pair, ties to the smallest b, then the smallest a. It is
  found in O(bins): b = argmax_b s_hi(b) + max_{a<b} s_lo(a) (a running max), then a = argmax_{a<b} s_lo(a).
  A committed partner reduces this to the slot's argmax over the bins beyond it; both committed: unchanged.
- Temperature T > 0: the pair is drawn exactly from exp((s_lo(a) + s_hi(b)) / T) over the valid pairs, b from
  its marginal (the running max becomes T * logcumsumexp(s_lo / T)), then a given b, both by Gumbel-max.
- Confidence (which slots commit): the candidate's softmax probability under the slot's untempered LOC logits.

Every committed slot comes from a valid pair, so a valid completion always exists and the finished box is
valid: 0 <= x1 < x2 <= 1024 in bins and x2 > x1 in pixels (the same for y).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..boxes import box_bin_ranges
from .noise import gumbel_argmax, token_confidence


def slot_ranges(sizes: list[tuple[int, int]] | None, batch: int, num_bins: int) -> Tensor:
    """[B, 4, 2] inclusive bin ranges per row and slot (`sizes`: each row's original image size)."""
    rows = [box_bin_ranges(size, num_bins) for size in (sizes or [None] * batch)]
    return torch.tensor(rows, dtype=torch.long)


def _draw(scores: Tensor, temperature: float, generator: torch.Generator | None) -> Tensor:
    if temperature == 0:
        return scores.argmax(dim=-1)
    return gumbel_argmax(scores - scores.amax(dim=-1, keepdim=True), temperature, generator)


def valid_box(
    scores: Tensor, ranges: Tensor, temperature: float = 0.0, generator: torch.Generator | None = None
) -> Tensor:
    """Bins [B, 4] of the best (or sampled) valid box; scores [B, 4, bins] float64, ranges [B, 4, 2]."""
    bins = torch.arange(scores.shape[-1], device=scores.device)
    allowed = (bins >= ranges[..., :1].to(scores.device)) & (bins <= ranges[..., 1:].to(scores.device))
    scores = scores.masked_fill(~allowed, float("-inf"))
    lo, hi = scores[:, :2], scores[:, 2:]
    running = lo.cummax(dim=-1).values if temperature == 0 else temperature * torch.logcumsumexp(lo / temperature, -1)
    below = F.pad(running[..., :-1], (1, 0), value=float("-inf"))  # over a < b
    hi_bin = _draw(hi + below, temperature, generator)
    lo_bin = _draw(lo.masked_fill(bins >= hi_bin[..., None], float("-inf")), temperature, generator)
    return torch.cat((lo_bin, hi_bin), dim=1)


def box_candidates(
    logits: Tensor,
    committed: Tensor,
    ranges: Tensor,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """Candidate bins [B, 4] and their confidences from LOC logits [B, 4, bins]; committed [B, 4]: the slot's
    bin, or -1 while masked."""
    bins = torch.arange(logits.shape[-1], device=logits.device)
    fixed = torch.zeros(logits.shape, dtype=torch.float64, device=logits.device).masked_fill(
        bins != committed[..., None], float("-inf")
    )
    scores = torch.where((committed >= 0)[..., None], fixed, logits.to(torch.float64))
    chosen = valid_box(scores, ranges, temperature, generator)
    return chosen, token_confidence(logits, chosen)
