"""Shared harness for flow tests: an embedded sandbox, a warehouse, and in-process runs.

Flow tests run the real assets against the sandboxes over HTTP; crash tests run them in live
configuration (explicit endpoints and credentials) pointed at sandbox servers the test owns, in
a process of their own (`start_assets`, `run_assets.py`) that they kill for real.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
from cryptography.fernet import Fernet

from vendor_pipelines.deployment.topology import environment  # noqa: F401  (re-exported)
from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    RunningSandbox,
)
from vendor_sandbox.netsuite import credentials
from vendor_sandbox.netsuite.records.base import Books

# What the order sync starts from: Amazon's purchase orders and the NetSuite catalogue.
ORDER_UPSTREAM = [
    ["raw", "amazon_purchase_orders"],
    ["raw", "netsuite_items"],
    ["raw", "netsuite_item_stock"],
    ["raw", "netsuite_locations"],
    ["raw", "netsuite_customers"],
]
# The order sync's assets, as the order_sync job runs them (catalogue first).
ORDER_SYNC = [*ORDER_UPSTREAM, ["orders", "sales_orders"], ["orders", "acknowledgements"]]
ORDER_ASSETS = [*ORDER_SYNC, ["ops", "exceptions"]]
# Fulfilment's assets, after the order sync's: landing, ASN / DF confirmations, invoices, stock.
FULFILMENT_ASSETS = [
    ["raw", "netsuite_item_fulfilments"],
    ["raw", "netsuite_invoices"],
    ["raw", "netsuite_invoice_lines"],
    ["fulfilment", "shipment_confirmations"],
    ["fulfilment", "df_shipments"],
    ["fulfilment", "invoice_submissions"],
    ["fulfilment", "df_inventory_updates"],
]

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
ASSET_RUNNER = Path(__file__).with_name("run_assets.py")


def wait_until(predicate, timeout: float, what: str, every: float = 1.0):
    """Poll `predicate` until it returns something truthy (returned), or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def sandbox_environment(root: Path, **extra: str) -> dict[str, str]:
    """Settings of a fresh embedded-sandbox deployment living under `root`."""
    return {
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "SANDBOX_STATE_DIR": str(root / "sandbox"),
        "SANDBOX_SCALE": "tiny",
        "SANDBOX_SEED": "11",
        **extra,
    }


def live_environment(root: Path, sandbox: RunningSandbox) -> dict[str, str]:
    """A *live* configuration (every variable a real deployment sets) aimed at sandbox servers."""
    world = sandbox.world
    mapped = world.mapped_warehouses
    mapping = ",".join(
        f"{v.vendor_code}={mapped[i % len(mapped)].party_id}" for i, v in enumerate(world.vendors)
    )
    return {
        **os.environ,
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
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


@dataclass
class SandboxFlow:
    """A deployment under test: its definitions, its sandbox and its warehouse file."""

    root: Path
    definitions: dg.Definitions
    sandbox: RunningSandbox

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def run_selection(
        self,
        selection: dg.AssetSelection,
        partitions_def: dg.PartitionsDefinition | None = None,
        partition_key: str | None = None,
    ) -> dg.ExecuteInProcessResult:
        return materialize(self.definitions, selection, partitions_def, partition_key)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    @property
    def amazon(self) -> AmazonSandboxState:
        return AmazonSandboxState(self.sandbox.amazon_store, self.sandbox.world)

    def netsuite_records(self, record_type: str) -> list[dict]:
        return Books(self.sandbox.netsuite_store, {}).all(record_type)


def materialize(
    definitions: dg.Definitions,
    selection: dg.AssetSelection,
    partitions_def: dg.PartitionsDefinition | None = None,
    partition_key: str | None = None,
    run_config: Mapping[str, object] = QUIET,
) -> dg.ExecuteInProcessResult:
    """Run the assets of `selection` in this process, on an ephemeral instance; a failure is
    the result's, not raised."""
    job = dg.define_asset_job("flow_test", selection=selection, partitions_def=partitions_def)
    merged = dg.Definitions.merge(definitions, dg.Definitions(jobs=[job]))
    return merged.resolve_job_def("flow_test").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=partition_key,
        raise_on_error=False,
        run_config=dict(run_config),
    )


def start_assets(env: dict[str, str], *keys: list[str]) -> subprocess.Popen:
    """Materialize the assets `keys` in a process of their own, with environment `env`."""
    return subprocess.Popen(
        [sys.executable, str(ASSET_RUNNER), *("/".join(key) for key in keys)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_assets(env: dict[str, str], *keys: list[str]) -> None:
    """Materialize the assets `keys` in a process of their own, which must succeed."""
    child = start_assets(env, *keys)
    assert child.wait(timeout=300) == 0, child.stderr.read()[-3000:]


def kill_assets_when(
    env: dict[str, str], keys: list[list[str]], reached: Callable[[], object]
) -> None:
    """Materialize the assets `keys` in a process of their own and SIGKILL it once `reached()`
    holds (after two minutes at the latest); it must not have finished before."""
    child = start_assets(env, *keys)
    deadline = time.monotonic() + 120
    while not reached() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the run finished before the kill"


def applied_documents(amazon: AmazonSandboxState, kind: str) -> Counter:
    """Documents of `kind` Amazon applied (first accepted submission, not an absorbed duplicate),
    by reference."""
    outcomes = {t["transactionId"]: t["outcome"] for t in amazon.transactions()}
    return Counter(
        e["ref"]
        for e in amazon.received(kind)
        if e["duplicateOf"] is None and outcomes[e["transactionId"]] == "Success"
    )


def held_sales_orders(plan: list[dict]) -> set[str]:
    """Sales orders of the warehouse's plan whose first fulfilment the gate holds (a bad SSCC,
    a missing weight)."""
    return {p["salesOrder"] for p in plan for d in p["defects"]
            if d["kind"] in ("bad_sscc", "missing_weight")}  # fmt: skip


def expected_rp_asns(plan: list[dict]) -> set[str]:
    """The RP fulfilments of the warehouse's plan that become ASNs: all but the held ones."""
    held = held_sales_orders(plan)
    return {
        f["tranId"]
        for p in plan
        if p["program"] == "RP"
        for i, f in enumerate(p["fulfilments"])
        if not (i == 0 and p["salesOrder"] in held)
    }
