"""An auxiliary training loss that makes every `<image>` token say where it is and which object it shows: its
place in the view, and its object's colour, shape and box.

A pretrained SigLIP tower hands the LM tokens that each describe their object. lavida-r1-tiny's tower starts from
random weights, and trained from scratch on questions about scenes it mixes the whole scene into every token, so
no attention head can match a question's word to one object (docs/sft/skill-bridges.md, section 12). The
readout is linear heads (after a LayerNorm, as the view readout's) from each projected view token to the colour,
the shape and the box of the object covering it (`data.object_labels`), trained on the tokens that show an object
(cross-entropy for the classes, L1 for the box), and to the token's own centre, trained on every token of a
labelled view. Background tokens are left out of the object heads: they are most of a scene, and with them in the
mean the heads sit on "background" long before the tower separates the objects' tokens.

Why the places: colour and shape do not change when an object moves, and a tower trained on them alone drops
where its tokens are (the LM's value vectors then carry no position, and a requested box can only be the prior;
section 14). Boxes and places are in the view's own pixels, in units of one token's region: what the view shows.
Training only: never part of the model.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..data.object_labels import BACKGROUND, COLOUR_CLASSES
from ..model.config import LavidaConfig
from ..model.vision import token_region
from ..world.raster import SHAPES

BOX_WEIGHT = 0.25  # of the L1 losses of boxes and places (token regions) against the class cross-entropies


class ObjectReadout(nn.Module):
    def __init__(self, config: LavidaConfig) -> None:
        super().__init__()
        self.region = token_region(config)
        self.norm = nn.LayerNorm(config.d_model)
        self.colour = nn.Linear(config.d_model, len(COLOUR_CLASSES) + 1)  # class 0 (background) is never a target
        self.shape = nn.Linear(config.d_model, len(SHAPES) + 1)
        self.box = nn.Linear(config.d_model, 4)  # x1, y1, x2, y2 in token regions of the view
        self.place = nn.Linear(config.d_model, 2)  # the token's own centre (x, y) in token regions

    def loss(
        self, view_features: Tensor, labels: Tensor, object_share: float = 1.0, place_share: float = 1.0
    ) -> Tensor:
        """Loss of view features [V, T, d_model] against labels [V, T, FIELDS] (colour and shape 0 where no object
        shows, IGNORE on views without labels): per labelled object token, colour plus shape cross-entropy plus
        `BOX_WEIGHT` times the box's mean L1; plus, per token of a labelled view, `BOX_WEIGHT` times its place's.
        The shares weight each mean by this process's part of its count (see `share.Share`)."""
        on_object = labels[..., 0] > BACKGROUND  # IGNORE < 0
        h = self.norm(view_features[on_object])
        losses = [
            F.cross_entropy(head(h), labels[..., i][on_object], reduction="sum")
            for i, head in enumerate((self.colour, self.shape))
        ]
        box = F.l1_loss(self.box(h), self.box_target(labels[on_object]), reduction="sum") / 4
        objects = (losses[0] + losses[1] + BOX_WEIGHT * box) / on_object.sum().clamp(min=1)
        labelled = labels[..., 0] >= BACKGROUND
        places = self.place(self.norm(view_features[labelled]))
        centres = token_centres(labels.shape[1], view_features.device).expand(labels.shape[0], -1, -1)[labelled]
        place = F.l1_loss(places, centres) if len(places) else places.new_zeros(())
        return objects * object_share + BOX_WEIGHT * place * place_share

    def box_target(self, labels: Tensor) -> Tensor:
        """Labels [..., FIELDS] → their boxes [..., 4] in token regions."""
        return labels[..., 2:6].float() / self.region


def token_centres(tokens: int, device: torch.device) -> Tensor:
    """[1, tokens, 2]: the (x, y) centre of each token of a square view, row-major, in token regions."""
    side = math.isqrt(tokens)
    rows, cols = torch.meshgrid(torch.arange(side, device=device), torch.arange(side, device=device), indexing="ij")
    return torch.stack([cols, rows], dim=-1).reshape(1, tokens, 2).float() + 0.5
