"""torchrun processes that would start a run from different steps (a node that does not see the run folder's
checkpoint on --resume) stop, instead of training on other data and weights."""

import os
import subprocess
import sys
from pathlib import Path

TRAIN = Path(__file__).resolve().parents[1]

SCRIPT = """
import torch
from lavida_r1.distributed import start_shard

shard = start_shard(torch.device("cpu"))
shard.check_same_start(5)
print(f"rank {shard.rank} of {shard.world} agreed", flush=True)
shard.check_same_start(3 * shard.rank)
print("went on", flush=True)
"""


def test_processes_that_start_from_different_steps_stop(tmp_path):
    script = tmp_path / "start.py"
    script.write_text(SCRIPT)
    torchrun = Path(sys.executable).with_name("torchrun")
    done = subprocess.run(
        [str(torchrun), "--standalone", "--nproc_per_node", "2", str(script)],
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        cwd=TRAIN,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "rank 0 of 2 agreed" in done.stdout and "rank 1 of 2 agreed" in done.stdout
    assert "went on" not in done.stdout
    assert "the 2 processes start from different steps (0 to 3)" in done.stderr
