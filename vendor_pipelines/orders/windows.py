"""PO windows: when a ship window closes, close what was not shipped so it cannot become a claim.

Amazon keeps measuring a PO against its window; a backordered or unshipped line left open in
NetSuite invites a late shipment Amazon will refuse or a shortage claim later. For each PO whose
window has closed we close the sales order lines that still have unfulfilled quantity
(`isClosed`) and record exactly what was closed in `orders.closed_po_lines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteError, RecordNotFound
from vendor_pipelines.orders.plans import SALES_ORDER_CHANNEL

# How far back and ahead the sensor is told about windows (it needs no more to find closures).
WINDOW_HORIZON = timedelta(days=14)


def open_ship_windows(conn: duckdb.DuckDBPyConnection, now: datetime) -> dict[str, str]:
    """PO -> ship window end (ISO) for open POs whose window ends near `now`, for the sensor."""
    rows = conn.execute(
        """select p.purchase_order_number, p.ship_window_end
           from raw.amazon_purchase_orders p
           left join orders.po_window_closures c using (purchase_order_number)
           where p.ship_window_end between ? and ?
             and p.purchase_order_state not in ('Closed', 'CANCELLED')
             and (c.purchase_order_number is null or c.status = 'failed')
           order by p.ship_window_end""",
        [now - WINDOW_HORIZON, now + WINDOW_HORIZON],
    ).fetchall()
    return {po: end.astimezone(UTC).isoformat() for po, end in rows}


def due_purchase_orders(conn: duckdb.DuckDBPyConnection, now: datetime) -> list[str]:
    """POs whose window has closed and that have not been processed yet."""
    return [
        row[0]
        for row in conn.execute(
            """select p.purchase_order_number from raw.amazon_purchase_orders p
               left join orders.po_window_closures c using (purchase_order_number)
               where p.ship_window_end <= ?
                 and (c.purchase_order_number is null or c.status = 'failed')
               order by p.ship_window_end""",
            [now],
        ).fetchall()
    ]


@dataclass
class ClosureReport:
    purchase_orders: int = 0
    lines_closed: int = 0
    problems: list[Detection] = field(default_factory=list)


def close_expired_lines(
    conn: duckdb.DuckDBPyConnection,
    netsuite: NetSuiteClient,
    purchase_order_numbers: list[str],
    now: datetime | None = None,
) -> ClosureReport:
    """Close every still-open sales order line of the given POs; idempotent per PO."""
    now = now or datetime.now(UTC)
    report = ClosureReport()
    targets = conn.execute(
        """select p.purchase_order_number, p.vendor_code, p.ship_window_end, s.external_ref
           from raw.amazon_purchase_orders p
           left join ops.submissions s
             on s.channel = ? and s.status = 'succeeded'
            and s.submission_key = 'amzn-' || lower(p.program) || '-' || p.vendor_code || '-'
                                   || p.purchase_order_number
           where p.purchase_order_number in (select unnest(?::varchar[]))""",
        [SALES_ORDER_CHANNEL, purchase_order_numbers],
    ).fetchall()
    for po, vendor_code, window_end, sales_order_id in targets:
        report.purchase_orders += 1
        if not sales_order_id:
            _record(conn, po, window_end, "no_sales_order", 0, None, now)
            continue
        try:
            lines = netsuite.get_sublist("salesOrder", sales_order_id, "item")
            open_lines = [line for line in lines if _open_quantity(line) > 0]
            if open_lines:
                netsuite.close_sales_order_lines(
                    sales_order_id, [int(line["line"]) for line in open_lines]
                )
        except (NetSuiteError, RecordNotFound) as exc:
            _record(conn, po, window_end, "failed", 0, str(exc), now)
            report.problems.append(
                Detection(
                    "po_window_closed_open_lines",
                    po,
                    f"window closed {window_end:%Y-%m-%d}; closing open lines failed: {exc}",
                    vendor_code=vendor_code,
                    purchase_order_number=po,
                )
            )
            continue
        if open_lines:
            conn.executemany(
                """insert into orders.closed_po_lines values (?, ?, ?, ?, ?, ?, ?)
               on conflict do nothing""",
                [
                    (
                        po,
                        sales_order_id,
                        int(line["line"]),
                        _ref(line.get("item")),
                        _open_quantity(line),
                        window_end,
                        now,
                    )
                    for line in open_lines
                ],
            )
        status = "closed" if open_lines else "nothing_open"
        _record(conn, po, window_end, status, len(open_lines), None, now)
        report.lines_closed += len(open_lines)
    return report


def _open_quantity(line: dict[str, Any]) -> float:
    if line.get("isClosed"):
        return 0.0
    return float(line.get("quantity", 0)) - float(line.get("quantityFulfilled", 0) or 0)


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("id")) if value.get("id") is not None else None
    return None if value is None else str(value)


def _record(
    conn: duckdb.DuckDBPyConnection,
    po: str,
    window_end: datetime | None,
    status: str,
    closed: int,
    detail: str | None,
    now: datetime,
) -> None:
    conn.execute(
        """insert into orders.po_window_closures values (?, ?, ?, ?, ?, ?)
           on conflict (purchase_order_number) do update set status = excluded.status,
               lines_closed = orders.po_window_closures.lines_closed + excluded.lines_closed,
               detail = excluded.detail, processed_at = excluded.processed_at""",
        [po, window_end, status, closed, detail, now],
    )
