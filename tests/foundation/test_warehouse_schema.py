"""The warehouse schema: every domain's tables, applied once per process and file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.defs.resources import WarehouseResource


def _tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in conn.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


def test_each_domain_declares_the_tables_it_writes() -> None:
    with duckdb.connect() as conn:
        warehouse_schema.apply(conn)
        warehouse_schema.apply(conn)  # idempotent
        tables = _tables(conn)
    assert {
        "ops.submissions",
        "ops.exceptions",
        "raw.amazon_purchase_orders",
        "raw.netsuite_items",
        "raw.df_ship_to_addresses",
        "orders.closed_po_lines",
        "orders.purchase_order_line_resolution",
        "raw.netsuite_invoices",
        "fulfilment.package_contents",
        "raw.remittance_lines",
        "raw.remittance_repeats",
    } <= tables


def test_the_resource_applies_once_per_file_and_again_to_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[int] = []
    real_apply = warehouse_schema.apply
    monkeypatch.setattr(
        warehouse_schema, "apply", lambda conn: (applied.append(1), real_apply(conn))
    )
    path = tmp_path / "warehouse.duckdb"
    resource = WarehouseResource(database=str(path))
    for _ in range(3):
        with resource.get_connection() as conn:
            assert "ops.submissions" in _tables(conn)
    assert len(applied) == 1
    for leftover in tmp_path.glob("warehouse.duckdb*"):
        leftover.unlink()  # a new file, perhaps with the old one's inode
    with resource.get_connection() as conn:
        assert "raw.remittance_lines" in _tables(conn)
    assert len(applied) == 2
