"""An auxiliary training loss that makes every `<image>` token name the characters it shows (`data.glyph_labels`):
the object readout's counterpart for text.

Every chart, math and panel item waits on reading: a value by its label, a digit row, a lettered option. A tower
trained on questions alone reads digits in place at 0.15 per digit (chance 0.10; docs/sft/skill-bridges.md), as it
read shapes before the object readout made each token name its object. The readout is one linear head (after a
LayerNorm) from each projected view token to a class per slot, trained on the tokens that hold a glyph (every
slot: the glyphs in reading order, then "none"), plus `EMPTY_WEIGHT` times the first slot's "none" on the tokens
that hold none: they are most of an image, and with them at full weight the head sits on "none". Training only:
never part of the model.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ..data.glyph_labels import GLYPH_CLASSES, glyph_slots
from ..model.config import LavidaConfig

EMPTY_WEIGHT = 0.1


class GlyphReadout(nn.Module):
    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        self.slots, self.classes = glyph_slots(config), len(GLYPH_CLASSES) + 1
        self.norm = nn.LayerNorm(config.d_model)
        self.glyphs = nn.Linear(config.d_model, self.slots * self.classes)

    def logits(self, view_features: Tensor) -> Tensor:
        """[..., d_model] → [..., slots, classes]."""
        return self.glyphs(self.norm(view_features)).unflatten(-1, (self.slots, self.classes))

    def loss(self, view_features: Tensor, labels: Tensor, held_share: float = 1.0, empty_share: float = 1.0) -> Tensor:
        """Loss of view features [V, T, d_model] against labels [V, T, slots] (IGNORE on tokens left out); the
        shares weight each mean by this process's part of its count (see `share.Share`)."""
        labelled = labels[..., 0] >= 0
        target = labels[labelled]
        ce = F.cross_entropy(self.logits(view_features[labelled]).transpose(1, 2), target, reduction="none")
        text = target[:, 0] > 0
        held = ce[text].sum() / text.sum().clamp(min=1)
        empty = ce[~text, 0].mean() if (~text).any() else ce.new_zeros(())
        return held * held_share + EMPTY_WEIGHT * empty * empty_share

    def accuracy(self, view_features: Tensor, labels: Tensor) -> tuple[float, float]:
        """(share of glyphs named right in their slot, share of tokens holding a glyph with every slot right)."""
        text = labels[..., 0] > 0
        predicted, target = self.logits(view_features[text]).argmax(-1), labels[text]
        glyph = target > 0
        return (predicted == target)[glyph].float().mean().item(), (predicted == target).all(-1).float().mean().item()
