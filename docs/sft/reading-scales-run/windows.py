"""Mean training loss per family and window of steps from an SFT run's log.csv, with the mean image reliance the
trainer logged in the window (answer CE with the batch's images shuffled minus with its own, every
monitor_every steps). Loss is nats per canvas token, EOS padding included.

    python3 windows.py LOG.csv [--window 500]
"""
from __future__ import annotations

import argparse
import csv
from collections import defaultdict


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("log")
    p.add_argument("--window", type=int, default=500)
    a = p.parse_args()
    losses: dict[tuple[int, str], list[float]] = defaultdict(list)
    reliance: dict[tuple[int, str], list[float]] = defaultdict(list)
    with open(a.log) as f:
        for row in csv.DictReader(f):
            key = ((int(row["step"]) - 1) // a.window, row["family"])
            losses[key].append(float(row["loss"]))
            if row["image_reliance"]:
                reliance[key].append(float(row["image_reliance"]))
    print("| steps | family | loss (n) | logged reliance (n) |")
    print("|---|---|---:|---:|")
    for (window, family), values in sorted(losses.items()):
        r = reliance.get((window, family), [])
        shown = f"{sum(r) / len(r):.2f} ({len(r)})" if r else "—"
        start = window * a.window + 1
        print(f"| {start}–{start + a.window - 1} | {family} | {sum(values) / len(values):.3f} ({len(values)}) | {shown} |")


if __name__ == "__main__":
    main()
