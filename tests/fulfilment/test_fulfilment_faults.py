"""5 % injected faults on both APIs (429, 5xx, slow, dropped): no duplicate ASN or invoice,
nothing lost once the flow has been re-run to completion."""

from __future__ import annotations

from collections import Counter

import dagster as dg
import duckdb
import pytest
from sandbox_flow import live_environment

from vendor_pipelines.sandbox.amazon.state import AmazonSandboxState
from vendor_pipelines.sandbox.embedded import start_sandbox
from vendor_pipelines.sandbox.faults import FaultPlan
from vendor_pipelines.sandbox.netsuite.warehouse import advance_warehouse, warehouse_plan

pytestmark = pytest.mark.slow

ASSETS = [
    ["raw", "amazon_purchase_orders"],
    ["raw", "netsuite_items"],
    ["raw", "netsuite_item_stock"],
    ["raw", "netsuite_locations"],
    ["raw", "netsuite_customers"],
    ["orders", "sales_orders"],
    ["orders", "acknowledgements"],
    ["raw", "netsuite_item_fulfilments"],
    ["raw", "netsuite_invoices"],
    ["raw", "netsuite_invoice_lines"],
    ["fulfilment", "shipment_confirmations"],
    ["fulfilment", "df_shipments"],
    ["fulfilment", "invoice_submissions"],
    ["fulfilment", "df_inventory_updates"],
]


def _effective(amazon: AmazonSandboxState, kind: str) -> Counter:
    outcomes = {t["transactionId"]: t["outcome"] for t in amazon.transactions()}
    return Counter(
        e["ref"]
        for e in amazon.received(kind)
        if e["duplicateOf"] is None and outcomes[e["transactionId"]] == "Success"
    )


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

        job = dg.define_asset_job("faulty", selection=dg.AssetSelection.assets(*ASSETS))
        merged = dg.Definitions.merge(defs(), dg.Definitions(jobs=[job]))
        unfinished = None
        for attempt in range(6):
            merged.resolve_job_def("faulty").execute_in_process(
                instance=dg.DagsterInstance.ephemeral(),
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            )
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
        held = {p["salesOrder"] for p in plan for d in p["defects"]
                if d["kind"] in ("bad_sscc", "missing_weight")}  # fmt: skip
        expected_asns = {
            f["tranId"]
            for p in plan
            if p["program"] == "RP"
            for i, f in enumerate(p["fulfilments"])
            if not (i == 0 and p["salesOrder"] in held)
        }
        asns = _effective(amazon, "rp_shipment_confirmations")
        assert expected_asns and set(asns) == expected_asns
        assert set(asns.values()) == {1}
        for kind in ("rp_invoices", "df_invoices", "df_shipment_confirmations"):
            counts = _effective(amazon, kind)
            assert counts and set(counts.values()) == {1}, kind
    finally:
        sandbox.stop()
