"""Test-wide setup: every test session gets its own warehouse, sandbox state and inbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

_ISOLATED = {
    "DUCKDB_PATH": "warehouse.duckdb",
    "ANALYTICS_DUCKDB_PATH": "analytics.duckdb",
    "SANDBOX_STATE_DIR": "sandbox",
    "REMITTANCE_INBOX": "inbox/remittances",
}


@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point every configurable path at a temp dir so tests never touch ./data."""
    root = tmp_path_factory.mktemp("vendor_pipelines")
    saved = {name: os.environ.get(name) for name in _ISOLATED}
    for name, relative in _ISOLATED.items():
        os.environ[name] = str(root / relative)
    yield root
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


# The longest modules, longest first, from a profile of the whole suite (`pytest
# --durations=0`, summed per file; seconds on 2 cores with 3 workers): the demo's two runs 384,
# the CLI's 46 subprocesses 214, the two-minute soak 212, the killed runs 152, ... A stale order
# costs only wall time, never a result.
LONGEST_FIRST = (
    "test_demo.py",
    "test_cli.py",
    "test_soak.py",
    "test_dead_runs.py",
    "test_fulfilment_flow.py",
    "test_daemon_loops.py",
    "test_settlement_flow.py",
    "test_close_pack.py",
    "test_settlement_held_payment.py",
    "test_finance_dbt_reconciliation.py",
    "test_inbox_daemon.py",
    "test_alerts_daemon.py",
    "test_finance_claims.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest modules first (`LONGEST_FIRST`, then the other `pytest.mark.slow` ones): tests
    are spread over the workers file by file, and a long file handed out last would run alone
    at the end."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        if name in LONGEST_FIRST:
            return LONGEST_FIRST.index(name)
        return len(LONGEST_FIRST) + (item.get_closest_marker("slow") is None)

    items.sort(key=rank)
