"""The LaViDa-O / LaViDa-R1 architecture."""

from .checkpoint import load_checkpoint, save_checkpoint
from .config import LavidaConfig, VisionConfig, VQConfig
from .lavida import LavidaForMaskedDiffusion, LavidaOutput
from .llada import PrefixCache
from .presets import PRESETS, get_preset

__all__ = [
    "LavidaConfig",
    "VisionConfig",
    "VQConfig",
    "LavidaForMaskedDiffusion",
    "LavidaOutput",
    "PrefixCache",
    "PRESETS",
    "get_preset",
    "load_checkpoint",
    "save_checkpoint",
]
