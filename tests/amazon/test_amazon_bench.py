"""The benchmark's code path runs end to end (short run); figures come from `bench amazon`."""

from __future__ import annotations

from vendor_sandbox.bench.amazon import benchmark


def test_short_benchmark_has_no_failed_calls():
    result = benchmark(pages=40, page_size=10, fault_rate=0.05, seed=3)
    assert result["failed_calls"] == 0
    assert result["complete"]
