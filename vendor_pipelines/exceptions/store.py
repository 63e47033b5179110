"""`ops.exceptions`: one table both teams read, maintained set-based from each flow's detections.

Each detecting step replaces *its own* current detections (`record_detections`), then the
exceptions table is merged from all detections: new causes open an exception, causes still present
refresh `last_seen_at`, and causes gone since the source last looked resolve themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from vendor_pipelines.exceptions.alerts import refresh_exception_feed
from vendor_pipelines.exceptions.types import EXCEPTION_TYPES

DETECTION_COLUMNS = (
    "exception_type",
    "entity_key",
    "vendor_code",
    "purchase_order_number",
    "asin",
    "sku",
    "reference",
    "detail",
)


@dataclass(frozen=True)
class Detection:
    """One detected cause, for detections made in Python (API failures, parse errors)."""

    exception_type: str
    entity_key: str
    detail: str
    vendor_code: str | None = None
    purchase_order_number: str | None = None
    asin: str | None = None
    sku: str | None = None
    reference: str | None = None

    def as_row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, column) for column in DETECTION_COLUMNS)


@dataclass(frozen=True)
class ExceptionSummary:
    opened: int
    still_open: int
    resolved: int


def record_detections(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    *,
    query: str | None = None,
    params: list[Any] | None = None,
    detections: list[Detection] | None = None,
    types: tuple[str, ...] | None = None,
    now: datetime | None = None,
) -> ExceptionSummary:
    """Replace `source`'s detections (optionally only for `types`) and merge into ops.exceptions.

    `query` is a SELECT returning DETECTION_COLUMNS (set-based detections); `detections` are rows
    found in Python. Both may be given.
    """
    now = now or datetime.now(UTC)
    for row_type in {d.exception_type for d in detections or []}:
        if row_type not in EXCEPTION_TYPES:
            raise KeyError(f"unknown exception type {row_type!r}")
    columns = ", ".join(DETECTION_COLUMNS)
    type_filter = ""
    type_params: list[Any] = []
    if types is not None:
        type_filter = " and exception_type in (select unnest(?::varchar[]))"
        type_params = [list(types)]
    conn.execute("begin transaction")
    try:
        conn.execute(
            f"delete from ops.exception_detections where source = ?{type_filter}",
            [source, *type_params],
        )
        if query:
            conn.execute(
                f"""insert or replace into ops.exception_detections
                    select ?, {columns}, ? from ({query}) as detected""",
                [source, now, *(params or [])],
            )
        if detections:
            conn.executemany(
                f"insert or replace into ops.exception_detections (source, {columns}, detected_at)"
                f" values (?, {', '.join('?' for _ in DETECTION_COLUMNS)}, ?)",
                [(source, *d.as_row(), now) for d in detections],
            )
        summary = _merge(conn, source, now)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    # Alerts read what is new from a feed beside the warehouse (sensors never open DuckDB).
    refresh_exception_feed(conn)
    return summary


def _merge(conn: duckdb.DuckDBPyConnection, source: str, now: datetime) -> ExceptionSummary:
    before_open = _count_open(conn, source)
    unknown = conn.execute(
        """select distinct d.exception_type from ops.exception_detections d
           anti join ops.exception_types t using (exception_type) where d.source = ?""",
        [source],
    ).fetchall()
    if unknown:
        raise KeyError(f"unknown exception types detected: {sorted(u[0] for u in unknown)}")
    conn.execute(
        """
        insert into ops.exceptions
        select md5(d.exception_type || '|' || d.entity_key) as exception_id,
               d.exception_type, t.owner, t.severity, d.source, d.entity_key, d.vendor_code,
               d.purchase_order_number, d.asin, d.sku, d.reference, d.detail,
               ? as first_seen_at, ? as last_seen_at, null as resolved_at
        from ops.exception_detections d join ops.exception_types t using (exception_type)
        where d.source = ?
        on conflict (exception_id) do update set
            last_seen_at = excluded.last_seen_at,
            detail = excluded.detail,
            severity = excluded.severity,
            -- a cause that comes back reopens the exception but keeps its first sighting
            first_seen_at = case when ops.exceptions.resolved_at is null
                                 then ops.exceptions.first_seen_at else excluded.first_seen_at end,
            resolved_at = null
        """,
        [now, now, source],
    )
    resolved = conn.execute(
        """
        update ops.exceptions set resolved_at = ?
        where source = ? and resolved_at is null
          and exception_id not in (
              select md5(exception_type || '|' || entity_key)
              from ops.exception_detections where source = ?)
        returning exception_id
        """,
        [now, source, source],
    ).fetchall()
    still_open = _count_open(conn, source)
    return ExceptionSummary(
        opened=max(0, still_open - before_open + len(resolved)),
        still_open=still_open,
        resolved=len(resolved),
    )


def _count_open(conn: duckdb.DuckDBPyConnection, source: str) -> int:
    return conn.execute(
        "select count(*) from ops.exceptions where source = ? and resolved_at is null", [source]
    ).fetchone()[0]


def open_exceptions(
    conn: duckdb.DuckDBPyConnection, exception_type: str, limit: int = 50
) -> tuple[int, list[dict[str, Any]]]:
    """Count and the first `limit` open exceptions of a type (for asset-check metadata)."""
    count = conn.execute(
        "select count(*) from ops.open_exceptions where exception_type = ?", [exception_type]
    ).fetchone()[0]
    cursor = conn.execute(
        """select vendor_code, purchase_order_number, asin, sku, reference, detail, first_seen_at
           from ops.open_exceptions where exception_type = ?
           order by first_seen_at, entity_key limit ?""",
        [exception_type, limit],
    )
    names = [d[0] for d in cursor.description]
    return count, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
