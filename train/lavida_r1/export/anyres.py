"""The anyres packing as gather indices for the vision graph (the server computes the same list).

Table rows: view v, token t → v * T + t (T = pooled_side²); V * T → image_newline. Order: the base view's T
tokens, then the crop feature map (crops row-major, unpadded to the image's aspect ratio) row by row, each
row closed by the newline — exactly `lavida_r1.model.vision.pack_anyres`.
"""

from __future__ import annotations

from ..model import LavidaConfig
from ..model.vision import pooled_side, unpadded_shape


def pack_index(config: LavidaConfig, grid: tuple[int, int], original_size: tuple[int, int]) -> list[int]:
    side = pooled_side(config)
    tokens = side * side
    cols, rows = grid
    newline = (1 + cols * rows) * tokens
    top, bottom, left, right = unpadded_shape(rows * side, cols * side, original_size)
    index = list(range(tokens))
    for y in range(top, bottom):
        crop_row, in_y = divmod(y, side)
        for x in range(left, right):
            crop_col, in_x = divmod(x, side)
            view = 1 + crop_row * cols + crop_col
            index.append(view * tokens + in_y * side + in_x)
        index.append(newline)
    return index
