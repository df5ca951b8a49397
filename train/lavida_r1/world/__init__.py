"""The synthetic task world: seeded images and tasks in five benchmark-like families, benchmark-format
writers (`python -m lavida_r1.world.make_benchmarks`) and an oracle ImgEdit judge."""

from .config import WorldConfig
from .edit_tasks import EDIT_TYPES
from .generate import generate, iter_samples, kinds
from .oracle_judge import judge_edit
from .sample import BOX_FAMILIES, FAMILIES, TRAINING_FAMILIES, Sample, loc_tokens, sft_target
from .seeds import SPLITS, sample_seed

__all__ = [
    "BOX_FAMILIES",
    "EDIT_TYPES",
    "FAMILIES",
    "SPLITS",
    "Sample",
    "TRAINING_FAMILIES",
    "WorldConfig",
    "generate",
    "iter_samples",
    "kinds",
    "judge_edit",
    "loc_tokens",
    "sample_seed",
    "sft_target",
]
