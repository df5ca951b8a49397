"""The table the selection probes print: outcomes by the scene's object count, against a random object's rate."""

from __future__ import annotations

from collections import Counter


def print_outcomes(title: str, outcomes: tuple[str, ...], tally: Counter[tuple[int, str]]) -> None:
    """`tally[(object count, outcome)]` as a markdown table; outcomes[0] is the right one."""
    print(title)
    print(f"| objects | n | {' | '.join(outcomes)} | right by a random object of the scene |")
    print("|---:|---:|" + "---:|" * len(outcomes) + "---:|")
    for count in sorted({c for c, _ in tally}):
        n = sum(tally[count, o] for o in outcomes)
        cells = " | ".join(f"{tally[count, o]} ({tally[count, o] / n:.2f})" for o in outcomes)
        print(f"| {count} | {n} | {cells} | {1 / count:.2f} |")
