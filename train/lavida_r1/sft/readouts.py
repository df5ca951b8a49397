"""The SFT's training-only heads on the projected view tokens, weighted into one auxiliary loss: the view readout
(each token's pixels), the object readout (each token's object's colour, shape and box, and its place) and the
glyph readout (the characters each token shows)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..data.batch import Batch
from ..model.config import LavidaConfig
from .config import SFTConfig
from .glyph_readout import GlyphReadout
from .object_readout import ObjectReadout
from .share import Share
from .view_readout import ViewReadout


class Readouts(nn.Module):
    def __init__(self, model_config: LavidaConfig, config: SFTConfig) -> None:
        super().__init__()
        self.view_weight, self.object_weight = config.view_readout_weight, config.object_readout_weight
        self.glyph_weight = config.glyph_readout_weight
        self.view = ViewReadout(model_config, config.view_readout_cell) if self.view_weight else None
        self.objects = ObjectReadout(model_config) if self.object_weight else None
        self.glyphs = GlyphReadout(model_config) if self.glyph_weight else None  # last: earlier heads' seeds kept

    def loss(self, encoded: Tensor, views: Tensor, batch: Batch, share: Share) -> Tensor:
        """This share's part of the weighted readout losses of `encoded` views [V, T, d_model]."""
        total = encoded.new_zeros(())
        if self.view is not None:
            total = total + self.view_weight * self.view.loss(encoded, views) * share.views
        if self.objects is not None and batch.object_labels is not None:
            objects = self.objects.loss(encoded, batch.object_labels, share.objects, share.placed)
            total = total + self.object_weight * objects
        if self.glyphs is not None and batch.glyph_labels is not None:
            glyphs = self.glyphs.loss(encoded, batch.glyph_labels, share.glyphs, share.no_glyphs)
            total = total + self.glyph_weight * glyphs
        return total


def fresh_readouts(model_config: LavidaConfig, config: SFTConfig) -> Readouts | None:
    """The run's readout heads (seeded from the run's seed), or None when every readout weight is 0."""
    if not (config.view_readout_weight or config.object_readout_weight or config.glyph_readout_weight):
        return None
    torch.manual_seed(config.seed + 1)
    return Readouts(model_config, config)
