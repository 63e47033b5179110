"""SIGKILL the ASN and invoice submissions mid-batch, re-run: no duplicate, nothing lost.

The child runs in live configuration against sandbox servers this test owns (Amazon slowed so
the kill lands inside the batch). The warehouse is advanced by the test (live mode never calls
the sandbox hook). Expected documents come from the warehouse's own plan.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from sandbox_flow import live_environment

from vendor_pipelines.sandbox.amazon.state import AmazonSandboxState
from vendor_pipelines.sandbox.embedded import (
    start_sandbox,
)
from vendor_pipelines.sandbox.faults import FaultPlan
from vendor_pipelines.sandbox.netsuite.warehouse import advance_warehouse, warehouse_plan

pytestmark = pytest.mark.slow

RUNNER = Path(__file__).with_name("run_fulfilment_assets.py")
ORDERS = [
    "raw/amazon_purchase_orders",
    "raw/netsuite_items",
    "raw/netsuite_item_stock",
    "raw/netsuite_locations",
    "raw/netsuite_customers",
    "orders/sales_orders",
    "orders/acknowledgements",
]
LANDING = ["raw/netsuite_item_fulfilments", "raw/netsuite_invoices", "raw/netsuite_invoice_lines"]
SHIPMENTS = ["fulfilment/shipment_confirmations", "fulfilment/df_shipments"]
INVOICES = ["fulfilment/invoice_submissions"]


def run(env: dict[str, str], *keys: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(RUNNER), *keys],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(env: dict[str, str], *keys: str) -> None:
    child = run(env, *keys)
    assert child.wait(timeout=300) == 0, child.stderr.read()[-3000:]


def kill_when(env: dict[str, str], keys: list[str], reached) -> None:
    child = run(env, *keys)
    deadline = time.monotonic() + 120
    while not reached() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the run finished before the kill"


def effective(amazon: AmazonSandboxState, kind: str) -> Counter:
    """Documents Amazon applied (first accepted submission, not an absorbed duplicate)."""
    outcomes = {t["transactionId"]: t["outcome"] for t in amazon.transactions()}
    return Counter(
        e["ref"]
        for e in amazon.received(kind)
        if e["duplicateOf"] is None and outcomes[e["transactionId"]] == "Success"
    )


def test_killed_asn_and_invoice_submissions_rerun_without_duplicates(tmp_path) -> None:
    # A fault layer that starts (almost) idle; Amazon is slowed only for the kill phases.
    sandbox = start_sandbox(
        tmp_path / "sandbox", seed=5, scale="tiny", amazon_faults=FaultPlan(latency_seconds=0.001)
    )
    fault_layer = sandbox.servers[0]._server.config.app.faults
    amazon = AmazonSandboxState(sandbox.amazon_store, sandbox.world)
    try:
        env = live_environment(tmp_path, sandbox)
        finish(env, *ORDERS)
        advance_warehouse(sandbox.netsuite_store, sandbox.world, waves=2)

        fault_layer.plan = FaultPlan(latency_seconds=0.15)
        kill_when(
            env,
            LANDING + SHIPMENTS,
            lambda: amazon.received_count("rp_shipment_confirmations") >= 2,
        )
        asns_before_rerun = amazon.received_count("rp_shipment_confirmations")
        # The re-run finishes the ASNs, then is killed again inside the invoice batch.
        kill_when(
            env, LANDING + SHIPMENTS + INVOICES, lambda: amazon.received_count("rp_invoices") >= 2
        )
        finish(env, *LANDING, *SHIPMENTS, *INVOICES)

        plan = warehouse_plan(sandbox.netsuite_store)
        held = {p["salesOrder"] for p in plan for d in p["defects"]
                if d["kind"] in ("bad_sscc", "missing_weight")}  # fmt: skip
        mispriced = {d["invoice"] for p in plan for d in p["defects"]
                     if d["kind"] == "invoice_price_off"}  # fmt: skip
        expected_asns = {
            f["tranId"]
            for p in plan
            if p["program"] == "RP"
            for i, f in enumerate(p["fulfilments"])
            if not (i == 0 and p["salesOrder"] in held)
        }
        expected_invoices = {
            inv["tranId"]
            for p in plan
            if p["program"] == "RP"
            for i, inv in enumerate(p["invoices"])
            if not (i == 0 and p["salesOrder"] in held) and inv["tranId"] not in mispriced
        }
        asns = effective(amazon, "rp_shipment_confirmations")
        invoices = effective(amazon, "rp_invoices")
        assert 2 <= asns_before_rerun < len(expected_asns), "the kill did not land mid-batch"
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
