"""Probe B's start: a fresh LM (the SFT initialisation, seed 0) behind checkpoints/pathway-world's image pathway.

Run from train/: `PYTHONPATH=. .venv/bin/python ../docs/sft/skill-bridges/probes/fresh_lm.py` → runs/fresh-lm.
"""

import torch

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset, load_checkpoint, save_checkpoint
from lavida_r1.sft.init import initialize
from lavida_r1.sft.optimizer import VISION

torch.manual_seed(0)
model = LavidaForMaskedDiffusion(get_preset("tiny"))
initialize(model, 0.02)
stage = load_checkpoint("checkpoints/pathway-world").state_dict()
state = model.state_dict()
kept = [k for k in state if k.startswith(VISION) or k.startswith("model.vqvae.")]
model.load_state_dict({**state, **{k: stage[k] for k in kept}})
save_checkpoint(model, "runs/fresh-lm")
print(len(kept), "tensors from pathway-world")
