"""Supervised fine-tuning with complementary masking (weight 1, prompt never masked) on the synthetic world."""
