"""Order sync with faults set through the environment, timeouts included: exactly once.

The embedded sandbox reads `SANDBOX_FAULT_*` like any deployment would; the clients' timeouts
are tightened to 1 s through their settings, so `timeout` and `applied_timeout` faults really
time the clients out (writes applied on the server whose answer never arrived included). The
flow is re-run until the ledger has nothing left to send, as the schedule would; then every
purchase order has exactly one NetSuite sales order and Amazon applied exactly one
acknowledgement per purchase order.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import dagster as dg
import pytest
from sandbox_flow import ORDER_ASSETS, SandboxFlow, environment, sandbox_environment

from vendor_pipelines.connections import sandbox_for
from vendor_pipelines.settings import load_settings

pytestmark = pytest.mark.slow

FAULTS = {
    "SANDBOX_FAULT_RATE": "0.3",
    "SANDBOX_FAULTS": "429,5xx,drop,timeout,applied_timeout,applied_drop",
    "SANDBOX_FAULT_SEED": "4",
    "AMAZON_REQUEST_TIMEOUT_SECONDS": "1",
    "NETSUITE_REQUEST_TIMEOUT_SECONDS": "1",
}
MAX_RUNS = 4
ACK_KINDS = {"amazon.rp.acknowledgement": "rp_acknowledgements",
             "amazon.df.acknowledgement": "df_acknowledgements"}  # fmt: skip


def unfinished(flow: SandboxFlow) -> int:
    """Submissions a later run still has to send or poll (a transmission failure included)."""
    return flow.query(
        """select count(*) from ops.submissions
           where status in ('pending', 'sent')
              or (status = 'failed' and channel = 'netsuite.salesOrder')"""
    )[0][0]


def test_order_sync_under_environment_faults_is_exactly_once(tmp_path: Path) -> None:
    with environment(sandbox_environment(tmp_path, **FAULTS)):
        from vendor_pipelines.definitions import defs

        flow = SandboxFlow(tmp_path, defs(), sandbox_for(load_settings()))
        try:
            for _ in range(MAX_RUNS):
                flow.run_selection(dg.AssetSelection.assets(*ORDER_ASSETS))
                if not unfinished(flow):
                    break
            assert unfinished(flow) == 0
            injected = flow.sandbox.injected_faults
            ledger = flow.query("select channel, submission_key, status from ops.submissions")
            records = flow.netsuite_records("salesOrder")
            sales_orders = Counter(so["externalId"] for so in records)
            line_numbers = [[line["line"] for line in so["item"]["items"]] for so in records]
            applied = {
                channel: Counter(
                    e["ref"] for e in flow.amazon.received(kind) if e["duplicateOf"] is None
                )
                for channel, kind in ACK_KINDS.items()
            }
        finally:
            flow.sandbox.stop()

    # The faults really happened, timeouts and writes applied-then-lost among them.
    assert injected["timeout"] and injected["applied_timeout"] and injected["applied_drop"]
    assert injected["throttle"] and injected["server_error"] and injected["drop"]

    synced = {key for channel, key, status in ledger if channel == "netsuite.salesOrder"}
    assert synced and set(sales_orders) == synced
    assert set(sales_orders.values()) == {1}  # no duplicate sales order
    assert all(len(set(lines)) == len(lines) for lines in line_numbers)  # nor a line twice
    for channel, by_po in applied.items():
        acknowledged = {key for ch, key, _ in ledger if ch == channel}
        assert set(by_po) == acknowledged, channel
        assert set(by_po.values()) <= {1}, channel  # Amazon applied each answer once
    assert any(applied.values())
