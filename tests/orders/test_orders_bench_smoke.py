"""Small-scale run of `bench orders`: the sandbox in a process of its own, every order synced
once, and the figures in the benches' one line shape (no timing asserted)."""

from __future__ import annotations

import argparse
import re

from vendor_sandbox.bench import orders


def test_bench_orders_syncs_each_order_once_against_a_sandbox_process(capsys) -> None:
    parser = argparse.ArgumentParser()
    orders.add_arguments(parser)
    args = parser.parse_args(["--purchase-orders", "12", "--lines-per-order", "2"])
    assert orders.run(args) == 0
    printed = capsys.readouterr().out
    assert "sales orders: 12 upserted, 0 failed" in printed
    assert "NetSuite sales orders 12, duplicates 0" in printed
    # The sandbox answered from its own process: its CPU is its own, and reported.
    cpu = re.search(r"CPU during the sync: sandbox (\d+\.\d)s", printed)
    assert cpu is not None, printed
    for name in ("orders_per_second_vs_ceiling", "first_request_after"):
        assert re.search(rf"^{name}: [\d.]+s? \(goal (>=|<=) [\d.]+s?\)$", printed, re.M), printed
