"""The SFT command (the loop is `loop.run`).

    python -m lavida_r1.sft.train --config FILE [--resume] [--until STEP] [--device auto|cpu|cuda]
    torchrun --standalone --nproc_per_node N -m lavida_r1.sft.train --config FILE ...   # data-parallel

Writes into the config's `out` folder: `config.json` (the run config), `latest/` (model + optimizer + step,
and `ema/` with `ema_decay`; replaced atomically every `save_every` steps and at the end), `log.csv` (with
`monitor_every`, also the image reliance, the image/text norm ratio and the image token spread; `loss` is the
SFT loss, without the readout heads' weighted loss, which has its own column `readout_loss`). Data and masks
are pure functions of (seed, step), so `--resume` continues exactly as an uninterrupted run would. Under
torchrun each process takes its share of every batch (`share.Share`) and the gradients are summed, so the run
is the same whatever the number of processes; only the first one logs and writes.
"""

from __future__ import annotations

from ..config_files import load_config, training_arguments
from ..devices import DEVICES, pick_device
from ..distributed import local_rank
from .canvas_check import ShortCanvas
from .config import SFTConfig
from .loop import run


def main(argv: list[str] | None = None) -> None:
    parser = training_arguments("Supervised fine-tuning on the synthetic world.", "lavida_r1/sft/config.py")
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="auto (default): CUDA when available, with bf16 autocast; else the CPU, in fp32",
    )
    args = parser.parse_args(argv)
    config = load_config(SFTConfig.from_file, args.config, "sft")
    try:
        device = pick_device(args.device, local_rank())
    except ValueError as error:
        parser.error(str(error))
    try:
        run(config, args.resume, args.until, device)
    except ShortCanvas as error:  # found before the first step
        parser.error(str(error))


if __name__ == "__main__":
    main()
