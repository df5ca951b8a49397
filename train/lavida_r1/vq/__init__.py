"""VQ tokenizer training on the synthetic world's edit images (issue 3, item 5).

`python -m lavida_r1.vq_train --out DIR` trains; `load_vqvae_into(model, DIR)` puts the result into a model built
with the same settings, `adopt_vqvae(model, DIR)` into a model that takes the tokenizer's settings.
"""

from .load import adopt_vqvae, load_vqvae_into, save_vqvae

__all__ = ["adopt_vqvae", "load_vqvae_into", "save_vqvae"]
