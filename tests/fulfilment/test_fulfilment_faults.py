"""5 % injected faults on both APIs (429, 5xx, slow, dropped): no duplicate ASN or invoice,
nothing lost once the flow has been re-run to completion."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from sandbox_flow import (
    FULFILMENT_ASSETS,
    ORDER_SYNC,
    applied_documents,
    expected_rp_asns,
    live_environment,
    materialize,
)

from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.embedded import start_sandbox
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.netsuite.warehouse import advance_warehouse, warehouse_plan

pytestmark = pytest.mark.slow

ASSETS = [*ORDER_SYNC, *FULFILMENT_ASSETS]
ERRORS_ONLY = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def test_five_percent_faults_no_duplicates_nothing_lost(tmp_path, monkeypatch) -> None:
    sandbox = start_sandbox(
        tmp_path / "sandbox",
        seed=3,
        scale="tiny",
        amazon_faults=FaultPlan.uniform(0.05, seed=1, slow_seconds=0.5),
        netsuite_faults=FaultPlan.uniform(0.05, seed=2, slow_seconds=0.5),
    )
    amazon = AmazonSandboxState(sandbox.amazon_store, sandbox.world)
    try:
        for name, value in live_environment(tmp_path, sandbox).items():
            monkeypatch.setenv(name, value)
        from vendor_pipelines.definitions import defs

        definitions = defs()
        unfinished = None
        for attempt in range(6):
            materialize(definitions, dg.AssetSelection.assets(*ASSETS), run_config=ERRORS_ONLY)
            if attempt < 2:
                advance_warehouse(sandbox.netsuite_store, sandbox.world)
            with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
                unfinished = conn.execute(
                    """select count(*) from ops.submissions
                       where channel like 'amazon.%' and status <> 'succeeded'"""
                ).fetchone()[0]
            if attempt >= 3 and unfinished == 0:
                break
        assert unfinished == 0
        plan = warehouse_plan(sandbox.netsuite_store)
        expected_asns = expected_rp_asns(plan)
        asns = applied_documents(amazon, "rp_shipment_confirmations")
        assert expected_asns and set(asns) == expected_asns
        assert set(asns.values()) == {1}
        for kind in ("rp_invoices", "df_invoices", "df_shipment_confirmations"):
            counts = applied_documents(amazon, kind)
            assert counts and set(counts.values()) == {1}, kind
    finally:
        sandbox.stop()
