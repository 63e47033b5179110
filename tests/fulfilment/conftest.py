"""A fresh embedded sandbox and warehouse for the fulfilment flow tests (real HTTP)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from vendor_pipelines.connections import sandbox_for
from vendor_pipelines.sandbox.amazon.state import AmazonSandboxState
from vendor_pipelines.sandbox.embedded import RunningSandbox
from vendor_pipelines.sandbox.netsuite.records.base import Books
from vendor_pipelines.sandbox.netsuite.warehouse import warehouse_plan
from vendor_pipelines.settings import load_settings

ORDER_ASSETS = [
    ["raw", "amazon_purchase_orders"],
    ["raw", "netsuite_items"],
    ["raw", "netsuite_item_stock"],
    ["raw", "netsuite_locations"],
    ["raw", "netsuite_customers"],
    ["orders", "sales_orders"],
    ["orders", "acknowledgements"],
]
FULFILMENT_ASSETS = [
    ["raw", "netsuite_item_fulfilments"],
    ["raw", "netsuite_invoices"],
    ["raw", "netsuite_invoice_lines"],
    ["fulfilment", "shipment_confirmations"],
    ["fulfilment", "df_shipments"],
    ["fulfilment", "invoice_submissions"],
    ["fulfilment", "df_inventory_updates"],
    ["ops", "exceptions"],
]


@dataclass
class Flow:
    root: Path
    definitions: dg.Definitions
    sandbox: RunningSandbox

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def run(self, *keys: list[str]) -> dg.ExecuteInProcessResult:
        selection = dg.AssetSelection.assets(*(keys or ORDER_ASSETS + FULFILMENT_ASSETS))
        job = dg.define_asset_job("fulfilment_flow_test", selection=selection)
        merged = dg.Definitions.merge(self.definitions, dg.Definitions(jobs=[job]))
        return merged.resolve_job_def("fulfilment_flow_test").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    @property
    def amazon(self) -> AmazonSandboxState:
        return AmazonSandboxState(self.sandbox.amazon_store, self.sandbox.world)

    def netsuite_records(self, record_type: str) -> list[dict]:
        return Books(self.sandbox.netsuite_store, {}).all(record_type)

    def plan(self) -> list[dict]:
        return warehouse_plan(self.sandbox.netsuite_store)


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    root = tmp_path_factory.mktemp("fulfilment_flow")
    env = {
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "SANDBOX_STATE_DIR": str(root / "sandbox"),
        "SANDBOX_SCALE": "tiny",
        "SANDBOX_SEED": "11",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    from vendor_pipelines.definitions import defs

    try:
        yield Flow(root, defs(), sandbox_for(load_settings()))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
