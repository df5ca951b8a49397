"""Named flat colours. Object colours are saturated and far apart; backgrounds are light."""

from __future__ import annotations

RGB = tuple[int, int, int]

OBJECT_COLOURS: dict[str, RGB] = {
    "red": (220, 40, 40),
    "green": (40, 160, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 200, 30),
    "orange": (245, 130, 20),
    "purple": (130, 50, 180),
    "pink": (240, 120, 190),
    "brown": (130, 80, 30),
    "gray": (120, 120, 120),
    "black": (20, 20, 20),
    "cyan": (30, 200, 210),
}

BACKGROUNDS: dict[str, RGB] = {
    "white": (255, 255, 255),
    "light gray": (210, 210, 210),
    "light blue": (175, 205, 245),
    "light green": (185, 235, 185),
    "beige": (245, 230, 190),
}

WHITE: RGB = (255, 255, 255)
INK: RGB = (20, 20, 20)
