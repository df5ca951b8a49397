"""Data parallelism under torchrun: one process per device, each with its share of every step's work, gradients
summed across processes. Collectives run on gloo for CPU processes and on nccl for CUDA ones.

Run code keys every random draw by (seed, step, ...), never by process, so a run's numbers do not depend on
how many processes it runs on; only the first process (`lead`) logs and writes checkpoints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Shard:
    rank: int = 0
    world: int = 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))  # this process's device

    @property
    def lead(self) -> bool:
        return self.rank == 0

    def share(self, count: int) -> list[int]:
        """This process's items of `count` (rank, rank + world, ...)."""
        return list(range(self.rank, count, self.world))

    def sum(self, values: list[float]) -> list[float]:
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.world > 1:
            dist.all_reduce(tensor)
        return tensor.tolist()

    def sum_gradients(self, params: list[torch.nn.Parameter]) -> None:
        """Every process's gradients summed into each; one collective over all of them. A parameter no process
        has a gradient for keeps none (so the optimizer skips it, as in a single process)."""
        if self.world == 1:
            return
        grads = [torch.zeros_like(p) if p.grad is None else p.grad for p in params]
        had = torch.tensor([p.grad is not None for p in params], dtype=grads[0].dtype, device=grads[0].device)
        flat = torch.cat([g.flatten() for g in grads] + [had])
        dist.all_reduce(flat)
        parts = flat.split([g.numel() for g in grads] + [len(params)])
        for p, g, summed, used in zip(params, grads, parts, parts[-1].tolist()):
            p.grad = summed.view_as(g) if used else None

    def check_same_start(self, step: int) -> None:
        """Raises on every process unless all of them pass the same `step`. With --resume each process reads the
        checkpoint in the run folder, which only the first one writes: a node that does not see that folder (no
        shared filesystem) would start over on other data and weights, out of step with the others."""
        if self.world == 1:
            return
        bounds = torch.tensor([step, -step], dtype=torch.int64, device=self.device)
        dist.all_reduce(bounds, op=dist.ReduceOp.MAX)
        first, last = -bounds[1].item(), bounds[0].item()
        if first != last:
            raise RuntimeError(
                f"the {self.world} processes start from different steps ({first} to {last}): with --resume every "
                "process reads OUT/latest, so every node must see it (a shared filesystem, or a copy at the same path)"
            )

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()

    def close(self) -> None:
        if self.world > 1:
            dist.destroy_process_group()


def local_rank() -> int:
    """This process's index on its machine (torchrun's LOCAL_RANK; 0 outside torchrun)."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def start_shard(device: torch.device) -> Shard:
    """Joins torchrun's process group when it started more than one process (WORLD_SIZE)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Shard(device=device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Shard(dist.get_rank(), world, device)
