"""A rejected DF inventory update is an exception until a later update of that warehouse lands."""

from __future__ import annotations

import duckdb

from vendor_pipelines import warehouse_schema
from vendor_pipelines.fulfilment.inventory import INVENTORY_CHANNEL, INVENTORY_REJECTIONS
from vendor_pipelines.submissions.ledger import record_outcome, record_pending


def _submit(conn: duckdb.DuckDBPyConnection, key: str, status: str) -> None:
    record_pending(conn, INVENTORY_CHANNEL, [(key, f"hash-{key}")])
    error = (
        "INVALID_ITEM: Item B0X is not in the catalog. [WH1 item 0]" if status == "failed" else None
    )
    record_outcome(conn, INVENTORY_CHANNEL, key, status, error=error)


def _open(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {row[6]: row[7] for row in conn.execute(INVENTORY_REJECTIONS).fetchall()}


def test_rejection_is_open_until_a_later_update_of_the_same_target_succeeds() -> None:
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    _submit(conn, "WH1|VEND1|full|2026-11-22", "failed")
    _submit(conn, "WH2|VEND1|full|2026-11-22", "failed")
    opened = _open(conn)
    assert set(opened) == {"WH1|VEND1|full|2026-11-22", "WH2|VEND1|full|2026-11-22"}
    assert "INVALID_ITEM" in opened["WH1|VEND1|full|2026-11-22"]

    _submit(conn, "WH1|VEND1|partial|abc", "succeeded")  # WH1 is current again at Amazon
    _submit(conn, "WH2|VEND2|full|2026-11-23", "succeeded")  # another vendor code: no effect
    assert set(_open(conn)) == {"WH2|VEND1|full|2026-11-22"}
