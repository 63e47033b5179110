"""Kill the sales order sync mid-batch (SIGKILL, a real subprocess), re-run: one SO per PO.

The child runs in *live* configuration pointed at sandbox servers this test owns, which also
exercises the live settings path (TBA auth, explicit endpoints, PII key from the environment).
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
from cryptography.fernet import Fernet

from vendor_pipelines.sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    start_sandbox,
)
from vendor_pipelines.sandbox.faults import FaultPlan
from vendor_pipelines.sandbox.netsuite import credentials
from vendor_pipelines.sandbox.netsuite.records.base import Books

RUNNER = Path(__file__).with_name("run_assets.py")
UPSTREAM = [
    "raw/amazon_purchase_orders",
    "raw/netsuite_items",
    "raw/netsuite_item_stock",
    "raw/netsuite_locations",
    "raw/netsuite_customers",
]


def live_env(tmp_path: Path, sandbox) -> dict[str, str]:
    world = sandbox.world
    mapped = world.mapped_warehouses
    mapping = ",".join(
        f"{v.vendor_code}={mapped[i % len(mapped)].party_id}" for i, v in enumerate(world.vendors)
    )
    return {
        **os.environ,
        "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "AMAZON_SPAPI_ENDPOINT": sandbox.amazon_url,
        "AMAZON_LWA_CLIENT_ID": SANDBOX_LWA_CLIENT_ID,
        "AMAZON_LWA_CLIENT_SECRET": SANDBOX_LWA_CLIENT_SECRET,
        "AMAZON_LWA_REFRESH_TOKEN": SANDBOX_LWA_REFRESH_TOKEN,
        "AMAZON_LWA_TOKEN_URL": f"{sandbox.amazon_url}/auth/o2/token",
        "NETSUITE_ACCOUNT_ID": SANDBOX_NETSUITE_ACCOUNT_ID,
        "NETSUITE_REST_URL": sandbox.netsuite_url,
        "NETSUITE_AUTH": "tba",
        "NETSUITE_CONSUMER_KEY": credentials.TBA_CONSUMER_KEY,
        "NETSUITE_CONSUMER_SECRET": credentials.TBA_CONSUMER_SECRET,
        "NETSUITE_TOKEN_ID": credentials.TBA_TOKEN_ID,
        "NETSUITE_TOKEN_SECRET": credentials.TBA_TOKEN_SECRET,
        "RP_SHIP_FROM_BY_VENDOR_CODE": mapping,
        "PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }


def run(env: dict[str, str], *keys: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(RUNNER), *keys],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_sales_order_sync_rerun_leaves_exactly_one_sales_order_per_po(tmp_path) -> None:
    # NetSuite answers slowly, so the batch takes seconds and the kill lands inside it.
    sandbox = start_sandbox(
        tmp_path / "sandbox", seed=5, scale="small", netsuite_faults=FaultPlan(latency_seconds=0.2)
    )
    try:
        env = live_env(tmp_path, sandbox)
        upstream = run(env, *UPSTREAM)
        assert upstream.wait(timeout=300) == 0, upstream.stderr.read()[-3000:]

        def sales_orders() -> list[dict]:
            return Books(sandbox.netsuite_store, {}).all("salesOrder")

        child = run(env, "orders/sales_orders")
        deadline = time.monotonic() + 120
        while len(sales_orders()) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        created_before_kill = len(sales_orders())
        assert child.returncode == -signal.SIGKILL

        rerun = run(env, "orders/sales_orders")
        assert rerun.wait(timeout=300) == 0, rerun.stderr.read()[-3000:]
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
