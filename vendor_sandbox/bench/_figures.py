"""One shape for every figure a bench reports beside its goal: `name: value (goal OP target)`.

e.g. `full_year_build_vs_floor: 28.1x (goal <= 10x)`. `unit` follows the number (`x`, `s`,
`MB`, or empty for a plain ratio); `op` is `<=` or `>=`.
"""

from __future__ import annotations


def figure(
    name: str, value: float, unit: str, op: str | None, goal: float | None, digits: int = 1
) -> str:
    """A figure without a goal of its own (op and goal None) says so in the same place."""
    target = "none set" if op is None or goal is None else f"{op} {goal:g}{unit}"
    return f"{name}: {value:.{digits}f}{unit} (goal {target})"
