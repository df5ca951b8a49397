"""Where a training process computes, and at what precision: `--device auto|cpu|cuda`.

On CUDA the forward and the loss run under bf16 autocast while the weights, their gradients and the optimizer
state stay fp32; the CPU computes in fp32 throughout (its results are exact and reproducible).
"""

from __future__ import annotations

import contextlib
from typing import ContextManager

import torch

DEVICES = ("auto", "cpu", "cuda")


def pick_device(name: str, local_rank: int = 0) -> torch.device:
    """`auto`: CUDA when available, else the CPU. On CUDA each torchrun process takes GPU `local_rank`."""
    if name not in DEVICES:
        raise ValueError(f"device must be one of {list(DEVICES)}, got {name!r}")
    available = torch.cuda.is_available()
    if name == "cuda" and not available:
        raise ValueError("device cuda: no CUDA device is available (torch.cuda.is_available() is False)")
    if name == "cpu" or not available:
        return torch.device("cpu")
    if local_rank >= torch.cuda.device_count():
        raise ValueError(
            f"process {local_rank} of this node has no GPU of its own: {torch.cuda.device_count()} visible, "
            "so start at most that many processes per node (torchrun --nproc_per_node)"
        )
    return torch.device("cuda", local_rank)


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast precision on `device`: bf16 on CUDA, none (fp32) on the CPU."""
    return torch.bfloat16 if device.type == "cuda" else None


def autocast(device: torch.device) -> ContextManager:
    dtype = autocast_dtype(device)
    return contextlib.nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)
