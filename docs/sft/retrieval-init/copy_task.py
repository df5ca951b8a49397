"""How fast does a fresh tiny backbone learn to copy prompt tokens into its answer? (docs/sft/retrieval-init.md)

Text only, no image: a prompt of 24 random word ids, an answer canvas of 3 slots (two copied ids, then EOT),
trained with the masked-diffusion loss (one masking rate t ~ U(0,1) per row over the answer; the prompt is never
masked, prefix-LM attention), AdamW (0.9, 0.95), weight decay 0.1, batch 32. Every 50 steps: argmax accuracy of the
two copied slots with the whole canvas masked, on 32 held-out prompts.

Tasks: `offset` copies the prompt's last and third-to-last ids (fixed positions); `marker` copies the two ids that
follow a marker id placed at a random position (content-based retrieval). Inits: `ours` (`sft.init.initialize`,
N(0, 0.02), residual outputs 0.02 / sqrt(2 n_layers)), optionally with the token embeddings re-drawn at
`--embedding-std`; `torch` (PyTorch's module defaults: embeddings N(0, 1), linear layers uniform +-1/sqrt(fan_in)).
Run from train/ with its venv:

    PYTHONPATH=. .venv/bin/python ../docs/sft/retrieval-init/copy_task.py --task offset --init ours [--embedding-std 1]
"""
from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from lavida_r1.model import LavidaForMaskedDiffusion, get_preset
from lavida_r1.sft.init import initialize

PROMPT, BATCH, MARKER = 24, 32, 10
WORDS = torch.arange(20, 120)


def batch(task: str, eot: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    prompt = WORDS[torch.randint(0, len(WORDS), (BATCH, PROMPT), generator=generator)]
    rows = torch.arange(BATCH)
    if task == "marker":
        at = torch.randint(1, PROMPT - 2, (BATCH,), generator=generator)
        prompt[rows, at] = MARKER
        copied = torch.stack((prompt[rows, at + 1], prompt[rows, at + 2]), 1)
    else:
        copied = prompt[:, [PROMPT - 1, PROMPT - 3]]
    return prompt, torch.cat((copied, torch.full((BATCH, 1), eot)), 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", choices=("offset", "marker"), default="offset")
    p.add_argument("--init", choices=("ours", "torch"), default="ours")
    p.add_argument("--embedding-std", type=float)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = LavidaForMaskedDiffusion(get_preset("tiny"))
    if a.init == "ours":
        initialize(model, 0.02)
    transformer, c = model.model.transformer, model.config
    if a.embedding_std is not None:
        torch.nn.init.normal_(transformer.wte.weight, 0.0, a.embedding_std)
    params = list(transformer.parameters())
    optimizer = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)
    logits_of = lambda ids: model(ids, prefix_len=PROMPT).logits[:, PROMPT:]
    generator, held_out = torch.Generator().manual_seed(0), torch.Generator().manual_seed(10**6)
    test_prompt, test_answer = batch(a.task, c.eot_token_id, held_out)
    for step in range(1, a.steps + 1):
        prompt, answer = batch(a.task, c.eot_token_id, generator)
        masked = torch.rand(answer.shape, generator=generator) < torch.rand(BATCH, 1, generator=generator)
        masked[:, 0] |= ~masked.any(1)
        logits = logits_of(torch.cat((prompt, torch.where(masked, c.mask_token_id, answer)), 1))
        loss = F.cross_entropy(logits[masked], answer[masked])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        if step % 50 == 0:
            with torch.no_grad():
                canvas = torch.full_like(test_answer, c.mask_token_id)
                guess = logits_of(torch.cat((test_prompt, canvas), 1))[:, :2].argmax(-1)
            accuracy = (guess == test_answer[:, :2]).float().mean().item()
            print(f"step {step} loss {loss.item():.3f} accuracy {accuracy:.2f}", flush=True)


if __name__ == "__main__":
    main()
