"""An auxiliary training loss that makes every `<image>` token say which object it shows: its colour and shape.

A pretrained SigLIP tower hands the LM tokens that each describe their object. lavida-r1-tiny's tower starts from
random weights, and trained from scratch on questions about scenes it mixes the whole scene into every token, so
no attention head can match a question's word to one object (docs/sft/skill-bridges.md, section 12). The
readout is two linear heads (after a LayerNorm, as the view readout's) from each
projected view token to the colour and the shape of the object covering it (`data.object_labels`), trained with
cross-entropy on the tokens that show an object. Background tokens are left out: they are most of a scene, and
with them in the mean the heads sit on "background" long before the tower separates the objects' tokens.
Training only: never part of the model.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ..data.object_labels import BACKGROUND, COLOUR_CLASSES
from ..model.config import LavidaConfig
from ..world.raster import SHAPES


class ObjectReadout(nn.Module):
    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(config.d_model)
        self.colour = nn.Linear(config.d_model, len(COLOUR_CLASSES) + 1)  # class 0 (background) is never a target
        self.shape = nn.Linear(config.d_model, len(SHAPES) + 1)

    def loss(self, view_features: Tensor, labels: Tensor) -> Tensor:
        """Mean cross-entropy per labelled token, colour plus shape, of view features [V, T, d_model] against
        labels [V, T, 2] (0 when no token shows an object)."""
        on_object = labels[..., 0] > BACKGROUND  # IGNORE < 0
        h = self.norm(view_features[on_object])
        count = on_object.sum().clamp(min=1)
        losses = [
            F.cross_entropy(head(h), labels[..., i][on_object], reduction="sum")
            for i, head in enumerate((self.colour, self.shape))
        ]
        return (losses[0] + losses[1]) / count
