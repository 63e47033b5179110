"""The dbt asset's row counts: every table and every view people read, not the plumbing views."""

from __future__ import annotations

import dagster as dg
import duckdb

from vendor_pipelines.defs.finance.dbt import _table_metadata


def _warehouse() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute("create schema finance")
    conn.execute("create table finance.int_dispute_claim_lines as select * from range(3)")
    conn.execute("create view finance.int_dispute_cartons as select * from range(5)")
    conn.execute("create view finance.open_deductions as select * from range(7)")
    return conn


def test_tables_and_views_read_by_people_are_counted() -> None:
    conn = _warehouse()
    table = _table_metadata(conn, dg.AssetKey(["finance", "int_dispute_claim_lines"]))
    view = _table_metadata(conn, dg.AssetKey(["finance", "open_deductions"]))
    assert table == {
        "dagster/row_count": 3,
        "dagster/table_name": "finance.int_dispute_claim_lines",
    }
    assert view["dagster/row_count"] == 7


def test_an_intermediate_view_is_named_but_not_run() -> None:
    conn = _warehouse()
    metadata = _table_metadata(conn, dg.AssetKey(["finance", "int_dispute_cartons"]))
    assert metadata == {"dagster/table_name": "finance.int_dispute_cartons"}


def test_a_relation_that_cannot_be_counted_gives_no_metadata() -> None:
    conn = _warehouse()
    assert _table_metadata(conn, dg.AssetKey(["finance", "no_such_model"])) == {}
