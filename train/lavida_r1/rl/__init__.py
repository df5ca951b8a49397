"""LaViDa-R1 post-training: the unified SFT + online RL objective (GRPO and self-distillation advantages),
answer-forcing, tree-search rollouts for edits and the selectable likelihood estimators. See train/README.md."""
