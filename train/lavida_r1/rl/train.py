"""LaViDa-R1 unified post-training of a checkpoint on the synthetic world.

    python -m lavida_r1.rl.train --config configs/rl-tiny.json [--resume] [--until STEP]
    torchrun --standalone --nproc_per_node 2 -m lavida_r1.rl.train --config ...   # data-parallel, gloo on CPU

Writes OUT/latest (model + optimizer + step, swapped in atomically), OUT/log.csv and OUT/config.json.
"""

from __future__ import annotations

from ..config_files import load_config, training_arguments
from .config import RLConfig
from .loop import run


def main(argv: list[str] | None = None) -> None:
    parser = training_arguments(
        "LaViDa-R1 unified SFT + RL post-training on the synthetic world.", "lavida_r1/rl/config.py"
    )
    args = parser.parse_args(argv)
    run(load_config(RLConfig.from_file, args.config, "rl"), args.resume, args.until)


if __name__ == "__main__":
    main()
