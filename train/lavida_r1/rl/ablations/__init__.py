"""Ablation scripts of the LaViDa-R1 recipe on lavida-r1-tiny; each writes a JSON and a Markdown report."""
