"""Land NetSuite item fulfilments (with packages) and invoices (with lines) in the warehouse.

Incremental: only transactions modified since the last high-water mark (ops.sync_cursors) are
read, headers and lines by SuiteQL, packages from each changed fulfilment's `package` sublist
(SuiteQL has no package table). Invoices land with NetSuite's due date (`transaction.duedate`:
the one keyed on the invoice, or what its terms give from the transaction date), from which
finance counts dispute windows and aging. Each batch replaces the changed transactions' rows in
one DuckDB transaction, so a re-run re-reads the same window and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from vendor_pipelines.netsuite import NetSuiteClient

FULFILMENT_CURSOR = "netsuite.itemFulfillment"
INVOICE_CURSOR = "netsuite.invoice"
# Re-read a little before the mark: a transaction committed while we read is not lost.
OVERLAP = timedelta(minutes=5)
CHUNK = 200

HEADER = (
    "id, tranid, externalid, createdfrom, status, trandate, foreigntotal, "
    "foreignamountremaining, taxtotal, shippingcost, discounttotal, currency, otherrefnum, entity, "
    "createddate, lastmodifieddate, "
    "custbody_amazon_po, custbody_amazon_program, custbody_amazon_vendor_code, "
    "custbody_item_fulfillment"
)
# Invoices also carry the due date NetSuite set from their terms (or the one keyed on them).
# and the tax rate charged (percent), which Amazon is told as it is, not derived from cents.
INVOICE_HEADER = HEADER + ", duedate, BUILTIN.DF(terms) AS terms, taxrate"
LINES = (
    "SELECT transaction, line, orderline, item, quantity, rate, amount, location, "
    "custcol_amazon_item_sequence, custcol_amazon_asin FROM transactionline "
    "WHERE transaction IN ({marks}) ORDER BY transaction, line"
)


def _cursor(conn: duckdb.DuckDBPyConnection, source: str) -> str:
    row = conn.execute(
        "select high_water_mark from ops.sync_cursors where source = ?", [source]
    ).fetchone()
    since = (row[0] - OVERLAP) if row else datetime(2000, 1, 1, tzinfo=UTC)
    return since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _advance(conn: duckdb.DuckDBPyConnection, source: str, headers: list[dict]) -> None:
    if not headers:
        return
    mark = max(pd.Timestamp(h["lastmodifieddate"]) for h in headers).to_pydatetime()
    conn.execute(
        """insert into ops.sync_cursors values (?, ?, ?)
           on conflict (source) do update set high_water_mark = greatest(
               ops.sync_cursors.high_water_mark, excluded.high_water_mark),
               updated_at = excluded.updated_at""",
        [source, mark, datetime.now(UTC)],
    )


def _headers(
    netsuite: NetSuiteClient, kind: str, since: str, select: str = HEADER
) -> list[dict[str, Any]]:
    return list(
        netsuite.suiteql_by_key(
            select, "transaction", where="type = ? AND lastmodifieddate >= ?", params=[kind, since]
        )
    )


def _lines(netsuite: NetSuiteClient, ids: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = LINES.format(marks=", ".join("?" for _ in chunk))
        out += list(netsuite.suiteql(query, [int(i) for i in chunk]))
    return out


def _num(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(float(value))


def land_fulfilments(conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient) -> int:
    """Fulfilments changed since the cursor, their lines and packages; returns how many."""
    headers = _headers(netsuite, "ItemShip", _cursor(conn, FULFILMENT_CURSOR))
    ids = [str(h["id"]) for h in headers]
    now = datetime.now(UTC)
    fulfilments = pd.DataFrame(
        [
            {
                "fulfilment_id": str(h["id"]),
                "tranid": h["tranid"],
                "external_id": h.get("externalid"),
                "sales_order_id": str(h["createdfrom"]),
                "purchase_order_number": h.get("custbody_amazon_po"),
                "program": h.get("custbody_amazon_program"),
                "vendor_code": h.get("custbody_amazon_vendor_code"),
                "ship_status": h.get("status"),
                "trandate": h.get("trandate"),
                "created_at": pd.Timestamp(h["createddate"]),
                "last_modified": h.get("lastmodifieddate"),
                "loaded_at": now,
            }
            for h in headers
        ],
        columns=[
            "fulfilment_id", "tranid", "external_id", "sales_order_id", "purchase_order_number",
            "program", "vendor_code", "ship_status", "trandate", "created_at", "last_modified",
            "loaded_at",
        ],
    )  # fmt: skip
    lines = pd.DataFrame(
        [
            {
                "fulfilment_id": str(r["transaction"]),
                "line": int(r["line"]),
                "order_line": _int(r.get("orderline")),
                "item_id": None if r.get("item") is None else str(r["item"]),
                "item_sequence_number": r.get("custcol_amazon_item_sequence"),
                "asin": r.get("custcol_amazon_asin"),
                "quantity": _int(r.get("quantity")) or 0,
                "location_id": None if r.get("location") is None else str(r["location"]),
            }
            for r in _lines(netsuite, ids)
        ],
        columns=[
            "fulfilment_id", "line", "order_line", "item_id", "item_sequence_number", "asin",
            "quantity", "location_id",
        ],
    )  # fmt: skip
    packages = pd.DataFrame(
        list(_packages(netsuite, ids)),
        columns=[
            "fulfilment_id", "package_number", "sscc", "weight_lb", "tracking_number",
            "description", "length_in", "width_in", "height_in", "pallet_sscc", "contents",
        ],
    )  # fmt: skip
    _replace(
        conn,
        ids,
        [
            ("raw.netsuite_item_fulfilments", fulfilments),
            ("raw.netsuite_item_fulfilment_lines", lines),
            ("raw.netsuite_fulfilment_packages", packages),
        ],
        "fulfilment_id",
        FULFILMENT_CURSOR,
        headers,
    )
    return len(ids)


def _packages(netsuite: NetSuiteClient, ids: Iterable[str]) -> Iterable[tuple]:
    for fulfilment_id in ids:
        for number, p in enumerate(
            netsuite.get_sublist("itemFulfillment", fulfilment_id, "package")
        ):
            yield (
                fulfilment_id,
                number + 1,
                p.get("packageCartonNumber"),
                _num(p.get("packageWeight")),
                p.get("packageTrackingNumber"),
                p.get("packageDescr"),
                _num(p.get("custpackage_length_in")),
                _num(p.get("custpackage_width_in")),
                _num(p.get("custpackage_height_in")),
                p.get("custpackage_pallet_sscc"),
                p.get("custpackage_contents"),
            )


def land_invoices(conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient) -> int:
    """Invoices changed since the cursor into finance's raw.netsuite_invoices (+ lines)."""
    headers = _headers(netsuite, "CustInvc", _cursor(conn, INVOICE_CURSOR), INVOICE_HEADER)
    ids = [str(h["id"]) for h in headers]
    lines = _lines(netsuite, ids)
    currencies = _currency_codes(netsuite) if headers else {}
    invoices = pd.DataFrame(
        [
            {
                "invoice_id": str(h["id"]),
                "tranid": h["tranid"],
                "external_id": h.get("externalid"),
                "po_number": h.get("otherrefnum"),
                "vendor_code": h.get("custbody_amazon_vendor_code"),
                "customer_id": str(h["entity"]),
                "trandate": h.get("trandate"),
                "due_date": h.get("duedate") or None,
                "terms": h.get("terms") or None,
                "total": _num(h.get("foreigntotal")),
                "amount_remaining": _num(h.get("foreignamountremaining")),
                "status": h.get("status"),
                "currency": currencies[str(h.get("currency"))],
                "tax_total": _num(h.get("taxtotal")) or 0.0,
                "tax_rate": _num(h.get("taxrate")),
                "shipping_cost": _num(h.get("shippingcost")) or 0.0,
                "discount_total": _num(h.get("discounttotal")) or 0.0,
            }
            for h in headers
        ]
    )
    links = pd.DataFrame(
        [
            {
                "invoice_id": str(h["id"]),
                "fulfilment_id": h.get("custbody_item_fulfillment"),
                "program": h.get("custbody_amazon_program"),
                "created_at": pd.Timestamp(h["createddate"]),
            }
            for h in headers
        ]
    )
    items = dict(conn.execute("select item_id, sku from raw.netsuite_items").fetchall())
    invoice_lines = pd.DataFrame(
        [
            {
                "invoice_id": str(r["transaction"]),
                "line": int(r["line"]),
                "sku": items.get(str(r.get("item"))),
                "asin": r.get("custcol_amazon_asin"),
                "quantity": _num(r.get("quantity")),
                "rate": _num(r.get("rate")),
                "amount": _num(r.get("amount")),
            }
            for r in lines
        ]
    )
    refs = pd.DataFrame(
        [
            {
                "invoice_id": str(r["transaction"]),
                "line": int(r["line"]),
                "order_line": _int(r.get("orderline")),
                "item_sequence_number": r.get("custcol_amazon_item_sequence"),
            }
            for r in lines
        ]
    )
    _replace(
        conn,
        ids,
        [
            ("raw.netsuite_invoices", invoices),
            ("raw.netsuite_invoice_lines", invoice_lines),
            ("raw.netsuite_invoice_fulfilments", links),
            ("raw.netsuite_invoice_line_refs", refs),
        ],
        "invoice_id",
        INVOICE_CURSOR,
        headers,
    )
    return len(ids)


def _currency_codes(netsuite: NetSuiteClient) -> dict[str, str]:
    """Currency internal id -> ISO code; a transaction without one is in the base currency."""
    rows = list(netsuite.suiteql("SELECT id, symbol, isbasecurrency FROM currency"))
    codes = {str(r["id"]): r["symbol"] for r in rows}
    codes["None"] = next((r["symbol"] for r in rows if r["isbasecurrency"] == "T"), "USD")
    return codes


def _replace(
    conn: duckdb.DuckDBPyConnection,
    ids: list[str],
    tables: list[tuple[str, pd.DataFrame]],
    key: str,
    cursor: str,
    headers: list[dict],
) -> None:
    if not ids:
        return
    conn.execute("begin transaction")
    try:
        changed = pd.DataFrame({key: ids})
        conn.register("changed_ids", changed)
        for table, frame in tables:
            conn.execute(f"delete from {table} where {key} in (select {key} from changed_ids)")
            if len(frame):
                conn.register("incoming", frame)
                columns = ", ".join(frame.columns)
                conn.execute(f"insert into {table} ({columns}) select {columns} from incoming")
                conn.unregister("incoming")
        conn.unregister("changed_ids")
        _advance(conn, cursor, headers)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
