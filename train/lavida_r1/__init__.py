"""LaViDa-R1 in PyTorch: the LaViDa-O architecture, reference samplers, likelihood estimators and training."""
