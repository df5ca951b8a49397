"""Stage-neutral training data: world samples → examples (token ids, pixels, VQ ids) → padded batches → the
model's image embeddings. SFT, RL, the diagnostics and the reference pipelines all read these."""
