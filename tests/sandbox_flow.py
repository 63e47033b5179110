"""Shared harness for flow tests: an embedded sandbox, a warehouse, and in-process runs.

Flow tests run the real assets against the sandboxes over HTTP; crash tests run them in live
configuration (explicit endpoints and credentials) pointed at sandbox servers the test owns.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
from cryptography.fernet import Fernet

from vendor_pipelines.deployment.topology import environment  # noqa: F401  (re-exported)
from vendor_pipelines.sandbox.amazon.state import AmazonSandboxState
from vendor_pipelines.sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    RunningSandbox,
)
from vendor_pipelines.sandbox.netsuite import credentials
from vendor_pipelines.sandbox.netsuite.records.base import Books

# The order sync's assets, as the order_sync job runs them (catalogue first).
ORDER_ASSETS = [
    ["raw", "amazon_purchase_orders"],
    ["raw", "netsuite_items"],
    ["raw", "netsuite_item_stock"],
    ["raw", "netsuite_locations"],
    ["raw", "netsuite_customers"],
    ["orders", "sales_orders"],
    ["orders", "acknowledgements"],
    ["ops", "exceptions"],
]

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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
        job = dg.define_asset_job("flow_test", selection=selection, partitions_def=partitions_def)
        merged = dg.Definitions.merge(self.definitions, dg.Definitions(jobs=[job]))
        return merged.resolve_job_def("flow_test").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            partition_key=partition_key,
            raise_on_error=False,
            run_config=QUIET,
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    @property
    def amazon(self) -> AmazonSandboxState:
        return AmazonSandboxState(self.sandbox.amazon_store, self.sandbox.world)

    def netsuite_records(self, record_type: str) -> list[dict]:
        return Books(self.sandbox.netsuite_store, {}).all(record_type)
