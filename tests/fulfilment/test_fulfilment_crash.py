"""SIGKILL the ASN and invoice submissions once Amazon has their request, re-run: no duplicate,
nothing lost.

The documents go many to a request; the child runs in live configuration against sandbox
servers this test owns (Amazon slowed so the kill lands while the run is still sending and
polling). The warehouse is advanced by the test (live mode never calls
the sandbox hook). Expected documents come from the warehouse's own plan.
"""

from __future__ import annotations

import duckdb
import pytest
from sandbox_flow import (
    ORDER_SYNC,
    applied_documents,
    expected_rp_asns,
    finish_assets,
    held_sales_orders,
    kill_assets_when,
    live_environment,
)

from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.embedded import (
    start_sandbox,
)
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.netsuite.warehouse import advance_warehouse, warehouse_plan

pytestmark = pytest.mark.slow

LANDING = [
    ["raw", "netsuite_item_fulfilments"],
    ["raw", "netsuite_invoices"],
    ["raw", "netsuite_invoice_lines"],
]
SHIPMENTS = [["fulfilment", "shipment_confirmations"], ["fulfilment", "df_shipments"]]
INVOICES = [["fulfilment", "invoice_submissions"]]


def test_killed_asn_and_invoice_submissions_rerun_without_duplicates(tmp_path) -> None:
    # A fault layer that starts (almost) idle; Amazon is slowed only for the kill phases.
    sandbox = start_sandbox(
        tmp_path / "sandbox", seed=5, scale="tiny", amazon_faults=FaultPlan(latency_seconds=0.001)
    )
    fault_layer = sandbox.servers[0]._server.config.app.faults
    amazon = AmazonSandboxState(sandbox.amazon_store, sandbox.world)
    try:
        env = live_environment(tmp_path, sandbox)
        finish_assets(env, *ORDER_SYNC)
        advance_warehouse(sandbox.netsuite_store, sandbox.world, waves=2)

        fault_layer.plan = FaultPlan(latency_seconds=0.15)
        kill_assets_when(
            env,
            LANDING + SHIPMENTS,
            lambda: amazon.received_count("rp_shipment_confirmations") >= 1,
        )
        asns_before_rerun = amazon.received_count("rp_shipment_confirmations")
        # The re-run finishes the ASNs, then is killed again inside the invoice batch.
        kill_assets_when(
            env, LANDING + SHIPMENTS + INVOICES, lambda: amazon.received_count("rp_invoices") >= 1
        )
        finish_assets(env, *LANDING, *SHIPMENTS, *INVOICES)

        plan = warehouse_plan(sandbox.netsuite_store)
        held = held_sales_orders(plan)
        mispriced = {d["invoice"] for p in plan for d in p["defects"]
                     if d["kind"] == "invoice_price_off"}  # fmt: skip
        expected_asns = expected_rp_asns(plan)
        expected_invoices = {
            inv["tranId"]
            for p in plan
            if p["program"] == "RP"
            for i, inv in enumerate(p["invoices"])
            if not (i == 0 and p["salesOrder"] in held) and inv["tranId"] not in mispriced
        }
        asns = applied_documents(amazon, "rp_shipment_confirmations")
        invoices = applied_documents(amazon, "rp_invoices")
        assert asns_before_rerun >= 1, "the kill did not land once Amazon had the ASNs"
        assert set(asns) == expected_asns and set(asns.values()) == {1}
        assert set(invoices) == expected_invoices and set(invoices.values()) == {1}
        with duckdb.connect(env["DUCKDB_PATH"], read_only=True) as conn:
            unfinished = conn.execute(
                """select count(*) from ops.submissions
                   where channel like 'amazon.%' and status <> 'succeeded'"""
            ).fetchone()[0]
        assert unfinished == 0
    finally:
        sandbox.stop()
