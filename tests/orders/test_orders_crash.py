"""Kill the sales order sync mid-batch (SIGKILL, a real subprocess), re-run: one SO per PO.

The child runs in *live* configuration pointed at sandbox servers this test owns, which also
exercises the live settings path (TBA auth, explicit endpoints, PII key from the environment).
"""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest
from sandbox_flow import (
    ORDER_UPSTREAM,
    finish_assets,
    kill_assets_when,
    live_environment,
)

from vendor_sandbox.embedded import (
    start_sandbox,
)
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.netsuite.records.base import Books

pytestmark = pytest.mark.slow

SALES_ORDERS = ["orders", "sales_orders"]


def test_killed_sales_order_sync_rerun_leaves_exactly_one_sales_order_per_po(tmp_path) -> None:
    # NetSuite answers slowly, so the batch takes seconds and the kill lands inside it.
    sandbox = start_sandbox(
        tmp_path / "sandbox", seed=5, scale="small", netsuite_faults=FaultPlan(latency_seconds=0.2)
    )
    try:
        env = live_environment(tmp_path, sandbox)
        finish_assets(env, *ORDER_UPSTREAM)

        def sales_orders() -> list[dict]:
            return Books(sandbox.netsuite_store, {}).all("salesOrder")

        kill_assets_when(env, [SALES_ORDERS], lambda: len(sales_orders()) >= 10)
        created_before_kill = len(sales_orders())

        finish_assets(env, SALES_ORDERS)
        with duckdb.connect(env["DUCKDB_PATH"], read_only=True) as conn:
            expected = {
                po
                for (po,) in conn.execute(
                    """select distinct purchase_order_number
                       from orders.purchase_order_line_resolution
                       group by purchase_order_number
                       having bool_and(customer_id is not null)
                          and bool_and(location_id is not null)
                          and bool_or(item_id is not null and ordered_quantity > 0)"""
                ).fetchall()
            }
            pending = conn.execute(
                "select count(*) from ops.submissions where status <> 'succeeded'"
            ).fetchone()[0]
        per_po = Counter(so["otherRefNum"] for so in sales_orders())
        assert created_before_kill < len(expected), "the kill did not land mid-batch"
        assert set(per_po) == expected
        assert set(per_po.values()) == {1}
        assert pending == 0
    finally:
        sandbox.stop()
