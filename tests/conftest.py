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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long end-to-end modules (`pytestmark = pytest.mark.slow`) first: tests are spread over
    the workers file by file, and a long file handed out last would run alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
