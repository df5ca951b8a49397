"""Do the box slots know where the named object is? A linear probe of the LOC slots per layer.

For held-out `locate` requests (the world's eval split, seed 0: "the red circle" among 1-6 objects), one pass as
the first grounding step sees it (the prompt's prefix cache, then the canvas with its four LOC slots masked). The
residual stream entering each block (and leaving the last) at each slot is regressed (ridge) onto that slot's
true coordinate of the named object's box (x1, y1, x2, y2, as a fraction of the image's width or height),
trained on the first `--train` requests and scored on the others as R² (0: no better than the mean box). Beside
it, the R² of what the LOC head expresses (the expected bin of its softmax). A slot that holds the place but a
head that does not express it reads high in the last layers and low beside; a slot that never fetched the place
reads near 0 throughout.

    cd train && .venv/bin/python ../docs/sft/skill-bridges/loc_slots.py --checkpoint DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from greedy import block_inputs, name_pipeline

from lavida_r1.inference import encode_request
from lavida_r1.sampling.grounding_loop import LOC_SLOTS, grounding_canvas
from lavida_r1.sampling.text import answer_positions, prefill
from lavida_r1.world import generate


def r_squared(x: torch.Tensor, y: torch.Tensor, n_train: int, ridge: float) -> float:
    """Test R² of a ridge regression of y [N] on x [N, d] fitted on the first n_train rows (intercept unpenalised)."""
    x = (x - x[:n_train].mean(0)) / (x[:n_train].std(0) + 1e-6)
    mean = y[:n_train].mean()
    a = x[:n_train]
    w = torch.linalg.solve(a.T @ a + ridge * torch.eye(a.shape[1]), a.T @ (y[:n_train] - mean))
    residual = x[n_train:] @ w + mean - y[n_train:]
    return float(1 - residual.pow(2).sum() / (y[n_train:] - y[n_train:].mean()).pow(2).sum())


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--train", type=int, default=400)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--ridge", type=float, default=100.0, help="L2 penalty on standardised features")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pipe = name_pipeline(args.checkpoint)
    model, c = pipe.model, pipe.model.config
    blocks = model.model.transformer.blocks
    entering = block_inputs(pipe)
    loc = slice(c.loc_token_offset, c.loc_token_offset + c.num_loc_bins)
    states, expressed, truth = [], [], []
    for i in range(args.train + args.test):
        sample = generate("locate", "eval", i, 0)
        ids, features = encode_request(pipe, sample.prompt, sample.image)
        mask = torch.ones_like(ids)
        cache = prefill(model, ids, mask, features)
        canvas = grounding_canvas(c, 1)
        entering.clear()
        out = model(
            canvas,
            attention_mask=torch.ones_like(canvas),
            position_ids=answer_positions(mask, canvas.shape[1]),
            past=cache,
        )
        slots = slice(1, 1 + LOC_SLOTS)
        states.append(torch.stack([h[0, slots] for h in [*entering, out.hidden]]))  # [layers + 1, 4, d]
        probs = out.logits[0, slots, loc].softmax(-1)
        expressed.append(probs @ torch.arange(c.num_loc_bins, dtype=probs.dtype) / (c.num_loc_bins - 1))
        width, height = sample.image.size
        truth.append(torch.tensor(sample.box, dtype=torch.float32) / torch.tensor([width, height, width, height]))
    x, e, y = torch.stack(states), torch.stack(expressed), torch.stack(truth)  # [N, layers + 1, 4, d], [N, 4], [N, 4]
    print(
        f"{args.checkpoint}: locate, train {args.train}, test {args.test}, ridge {args.ridge}; test R² per coordinate"
    )
    print("| entering block | slot state (x1 / y1 / x2 / y2) | LOC head's expected bin |\n|---|---|---|")
    head = " / ".join(f"{r_squared(e[:, k : k + 1], y[:, k], args.train, args.ridge):.2f}" for k in range(LOC_SLOTS))
    for layer in range(x.shape[1]):
        name = str(layer) if layer < len(blocks) else "output"
        probe = " / ".join(
            f"{r_squared(x[:, layer, k], y[:, k], args.train, args.ridge):.2f}" for k in range(LOC_SLOTS)
        )
        print(f"| {name} | {probe} | {head if name == 'output' else ''} |", flush=True)


if __name__ == "__main__":
    main()
