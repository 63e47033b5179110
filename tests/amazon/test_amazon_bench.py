"""The benchmark runs end to end (short run); the full-length run is marked slow."""

from __future__ import annotations

import pytest

from vendor_pipelines.bench.amazon import GOAL_RATIO, benchmark
from vendor_pipelines.cli import main


def test_short_benchmark_has_no_failed_calls():
    result = benchmark(pages=40, page_size=10, fault_rate=0.05, seed=3)
    assert result["failed_calls"] == 0
    assert result["complete"]
    assert result["ratio_attempts"] > 0.5


@pytest.mark.slow
def test_full_benchmark_meets_the_goal(capsys):
    assert main(["bench", "amazon", "--pages", "200"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and f"goal >= {GOAL_RATIO}" in out
