"""An auxiliary training loss that makes every `<image>` token describe the pixels it covers.

Upstream starts from a pretrained SigLIP, whose features already say what is where; lavida-r1-tiny's tower
starts from random weights, and on the world's 10-30 px objects the LM's gradient alone drives the image tokens
to one vector before the tower learns anything (docs/sft/perception-run.md). The readout is a linear head
(after a LayerNorm, so the image embeddings' small scale does not matter) from each projected token of a view
(what the LM receives) to the RGB of the view region that token pools, at `cell` px resolution; the loss is the
mean squared error in the views' normalised pixel space. Training only: the head is never part of the model.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ..model.config import LavidaConfig
from ..model.vision import pooled_side, token_region


class ViewReadout(nn.Module):
    def __init__(self, config: LavidaConfig, cell: int) -> None:
        super().__init__()
        region = token_region(config)
        if region % cell:
            raise ValueError(f"readout cell {cell} px must divide the token region of {region} px")
        self.cells = region // cell
        self.cell = cell
        self.side = pooled_side(config)
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, 3 * self.cells * self.cells)

    def targets(self, pixel_values: Tensor) -> Tensor:
        """Views [V, 3, S, S] → per token the RGB of its region at `cell` px: [V, T, 3 * cells^2]."""
        views = pixel_values.shape[0]
        covered = self.side * self.cells * self.cell  # pixels the pooled grid covers (a floor stride-2 conv)
        small = F.avg_pool2d(pixel_values[..., :covered, :covered], self.cell)  # [V, 3, side*cells, side*cells]
        grid = small.reshape(views, 3, self.side, self.cells, self.side, self.cells)
        return grid.permute(0, 2, 4, 1, 3, 5).reshape(views, self.side * self.side, -1)

    def loss(self, view_features: Tensor, pixel_values: Tensor) -> Tensor:
        """Mean squared error of the readout of projected view features [V, T, d_model]."""
        return F.mse_loss(self.head(self.norm(view_features)), self.targets(pixel_values))
