"""Fixtures of the finance tests: helpers of the dbt builds are in dbt_build.py, the settlement
flows against the sandbox (and their fixtures, re-exported here) in settlement_flows.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from settlement_flows import held_payment_flow, settlement_flow

__all__ = ["held_payment_flow", "module_tmp", "settlement_flow"]


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dbt_finance")
