"""Order sync rules on hand-built rows: mapping, prices, stock allocation, DF fill-or-kill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.orders.detections import MAPPING_AND_PRICE, UNSYNCED_PURCHASE_ORDERS
from vendor_pipelines.orders.plans import (
    SALES_ORDER_CHANNEL,
    OrderRules,
    acknowledgement_lines,
    sales_order_lines_to_sync,
)
from vendor_pipelines.submissions.ledger import record_outcome, record_pending

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    warehouse_schema.apply(c)
    c.execute(
        """insert into raw.netsuite_items (item_id, sku, asin, price, cost) values
           ('10', 'SKU-A', 'B0AAAAAAAA', 10.00, 6), ('11', 'SKU-B', 'B0BBBBBBBB', 20.00, 12)"""
    )
    c.execute("insert into raw.netsuite_locations values ('100', 'Main', 'WHMAIN')")
    c.execute(
        "insert into raw.netsuite_customers values ('7', 'amazon-vendor-VEND1', 'Amazon', 'VEND1')"
    )
    c.execute("insert into config.ship_from_by_vendor_code values ('VEND1', 'WHMAIN')")
    # 5 of SKU-A and 0 of SKU-B available at the main warehouse.
    c.execute(
        "insert into raw.netsuite_item_stock values"
        " ('10', '100', 5, 5, 0, 0), ('11', '100', 0, 0, 0, 0)"
    )
    return c


def add_po(c, po, program, vendor, lines, hours=0, ship_from=None):
    c.execute(
        """insert into raw.amazon_purchase_orders (purchase_order_number, program, region,
               vendor_code, purchase_order_state, purchase_order_date, ship_from_party_id,
               payload_hash, first_seen_at, last_changed_at)
           values (?, ?, 'NA', ?, 'New', ?, ?, ?, ?, ?)""",
        [po, program, vendor, T0 + timedelta(hours=hours), ship_from, f"h-{po}", T0, T0],
    )
    for seq, (asin, qty, cost, backorder) in enumerate(lines, start=1):
        c.execute(
            """insert into raw.amazon_purchase_order_lines values
               (?, ?, ?, ?, ?, 'Eaches', 1, ?, ?, 'USD', null)""",
            [po, str(seq), asin, f"V-{asin}", qty, backorder, cost],
        )


def mark_synced(c, po, program="rp", vendor="VEND1"):
    """Record the PO's sales order as upserted, with the content hash the plan computes."""
    key = f"amzn-{program}-{vendor}-{po}"
    planned = {r["purchase_order_number"]: r for r in sales_order_lines_to_sync(c)}
    digest = planned[po]["content_hash"] if po in planned else f"h-{po}"
    record_pending(c, SALES_ORDER_CHANNEL, [(key, digest)])
    record_outcome(c, SALES_ORDER_CHANNEL, key, "succeeded", external_ref="900")


def test_stock_is_allocated_in_po_date_order(conn) -> None:
    # PO1 (earlier) wants 4 of A, PO2 wants 3 of A: only 5 exist, so PO2 gets 1.
    add_po(conn, "PO000001", "RP", "VEND1", [("B0AAAAAAAA", 4, 10.00, False)], hours=0)
    add_po(conn, "PO000002", "RP", "VEND1", [("B0AAAAAAAA", 3, 10.00, True)], hours=1)
    for po in ("PO000001", "PO000002"):
        mark_synced(conn, po)
    lines = {row["purchase_order_number"]: row for row in acknowledgement_lines(conn, OrderRules())}
    assert (lines["PO000001"]["accepted_quantity"], lines["PO000001"]["rejected_quantity"]) == (
        4,
        0,
    )
    # PO2 allows backorders: 1 accepted, 2 backordered, nothing rejected.
    assert lines["PO000002"]["accepted_quantity"] == 1
    assert lines["PO000002"]["backordered_quantity"] == 2
    assert lines["PO000002"]["rejected_quantity"] == 0


def test_unknown_asin_is_rejected_and_out_of_stock_without_backorder_is_rejected(conn) -> None:
    add_po(
        conn,
        "PO000003",
        "RP",
        "VEND1",
        [("B0UNKNOWN0", 2, 5.00, True), ("B0BBBBBBBB", 3, 20.00, False)],
    )
    mark_synced(conn, "PO000003")
    rows = acknowledgement_lines(conn, OrderRules())
    by_seq = {row["item_sequence_number"]: row for row in rows}
    assert by_seq["1"]["rejection_reason"] == "InvalidProductIdentifier"
    assert by_seq["1"]["rejected_quantity"] == 2
    assert by_seq["2"]["rejection_reason"] == "TemporarilyUnavailable"
    assert (by_seq["2"]["accepted_quantity"], by_seq["2"]["rejected_quantity"]) == (0, 3)


def test_df_order_is_fill_or_kill(conn) -> None:
    add_po(
        conn,
        "DF000001",
        "DF",
        "VEND1",
        [("B0AAAAAAAA", 2, 10.0, False), ("B0BBBBBBBB", 1, 20.0, False)],
        ship_from="WHMAIN",
    )
    add_po(
        conn,
        "DF000002",
        "DF",
        "VEND1",
        [("B0AAAAAAAA", 1, 10.0, False)],
        hours=2,
        ship_from="WHMAIN",
    )
    mark_synced(conn, "DF000001", "df")
    mark_synced(conn, "DF000002", "df")
    rows = acknowledgement_lines(conn, OrderRules())
    codes = {row["purchase_order_number"]: row["df_status_code"] for row in rows}
    assert codes == {"DF000001": "03", "DF000002": "00"}


def test_auto_acknowledgement_off_means_nothing_to_acknowledge(conn) -> None:
    add_po(conn, "PO000004", "RP", "VEND1", [("B0AAAAAAAA", 1, 10.0, False)])
    mark_synced(conn, "PO000004")
    assert acknowledgement_lines(conn, OrderRules(auto_acknowledge_rp=False)) == []


def test_mapping_gaps_and_price_discrepancies_become_exceptions(conn) -> None:
    add_po(
        conn,
        "PO000005",
        "RP",
        "VEND1",
        [
            ("B0AAAAAAAA", 1, 10.50, False),
            ("B0BBBBBBBB", 1, 20.10, False),
            ("B0UNKNOWN0", 1, 1.0, False),
        ],
    )
    add_po(conn, "PO000006", "RP", "NOMAP", [("B0AAAAAAAA", 1, 10.0, False)])
    add_po(conn, "DF000003", "DF", "VEND1", [("B0AAAAAAAA", 1, 10.0, False)], ship_from="WHOTHER")
    record_detections(conn, "orders/sales_orders", query=MAPPING_AND_PRICE, params=[0.01, 0.01])
    found = sorted(
        conn.execute("select exception_type, entity_key from ops.open_exceptions").fetchall()
    )
    assert found == [
        ("location_mapping_gap", "DF000003|ship_from"),
        ("location_mapping_gap", "PO000006|customer"),
        ("location_mapping_gap", "PO000006|ship_from"),
        # 10.50 vs 10.00 is 5 % (beyond 1 %); 20.10 vs 20.00 is 0.5 % (within tolerance).
        ("price_discrepancy", "PO000005|1"),
        ("sku_mapping_gap", "PO000005|3"),
    ]


def test_sales_order_plan_skips_unchanged_and_unmappable(conn) -> None:
    add_po(
        conn,
        "PO000007",
        "RP",
        "VEND1",
        [("B0AAAAAAAA", 1, 10.0, False), ("B0UNKNOWN0", 1, 1.0, False)],
    )
    add_po(conn, "PO000008", "RP", "NOMAP", [("B0AAAAAAAA", 1, 10.0, False)])
    add_po(conn, "PO000009", "RP", "VEND1", [("B0BBBBBBBB", 1, 20.0, False)])
    mark_synced(conn, "PO000009")
    planned = {
        (r["purchase_order_number"], r["item_sequence_number"])
        for r in sales_order_lines_to_sync(conn)
    }
    # Only the mapped line of PO7; PO8 has no customer/location; PO9 is already synced.
    assert planned == {("PO000007", "1")}
    record_detections(conn, "orders/sales_orders", query=UNSYNCED_PURCHASE_ORDERS)
    reasons = dict(
        conn.execute(
            "select purchase_order_number, detail from ops.open_exceptions"
            " where exception_type = 'po_not_mapped'"
        ).fetchall()
    )
    assert set(reasons) == {"PO000007", "PO000008"}
    assert "no NetSuite location" in reasons["PO000008"]


def test_a_po_state_change_alone_does_not_resend_the_sales_order(conn) -> None:
    add_po(conn, "PO000010", "RP", "VEND1", [("B0AAAAAAAA", 2, 10.0, False)])
    mark_synced(conn, "PO000010")
    assert sales_order_lines_to_sync(conn) == []
    # Amazon acknowledges the PO: its payload changes, the sales order it implies does not.
    conn.execute(
        "update raw.amazon_purchase_orders set purchase_order_state = 'Acknowledged',"
        " payload_hash = 'changed' where purchase_order_number = 'PO000010'"
    )
    assert sales_order_lines_to_sync(conn) == []
    # Amazon changes a quantity: that is a different sales order and must be sent again.
    conn.execute(
        "update raw.amazon_purchase_order_lines set ordered_quantity = 3"
        " where purchase_order_number = 'PO000010'"
    )
    assert [r["ordered_quantity"] for r in sales_order_lines_to_sync(conn)] == [3]
