"""`ops.exceptions`: one table both teams read, maintained set-based from each flow's detections.

Each detecting step replaces *its own* current detections (`record_detections`), then the
exceptions table is merged from all detections: new causes open an exception, causes still present
refresh `last_seen_at`, and causes gone since the source last looked resolve themselves.

Severity is the type's unless the detection says otherwise: a detection may carry its own
(`Detection.severity`, or a `severity` column in a detection query; null keeps the type's), so
one type can warn about a cause and later call it an error (a dispute window closing in 7 days,
then in 2). `ops.exceptions.severity` is always the effective one, coalesce(detection's, type's):
alerts, integration status and the close pack read that column, and an asset check shows the
loudest open one (`loudest_open_severity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from vendor_pipelines.exceptions.alerts import refresh_exception_feed
from vendor_pipelines.exceptions.types import EXCEPTION_TYPES, Severity

SEVERITIES: tuple[Severity, ...] = ("info", "warn", "error")

# What every detection query returns, by these names; it may add a `severity` column.
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
    severity: Severity | None = None  # None: the type's

    def as_row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, column) for column in (*DETECTION_COLUMNS, "severity"))


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
    # Named, never positional: a warehouse migrated in place has its later columns at the end.
    target = f"ops.exception_detections (source, {columns}, severity, detected_at)"
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
            severity = (
                "detected.severity" if _has_column(conn, query, params, "severity") else "null"
            )
            conn.execute(
                f"""insert or replace into {target}
                    select ?, {columns}, {severity}, ? from ({query}) as detected""",
                [source, now, *(params or [])],
            )
        if detections:
            conn.executemany(
                f"insert or replace into {target}"
                f" values (?, {', '.join('?' for _ in DETECTION_COLUMNS)}, ?, ?)",
                [(source, *d.as_row(), now) for d in detections],
            )
        wrong = conn.execute(
            """select distinct severity from ops.exception_detections
               where source = ? and severity not in (select unnest(?::varchar[]))""",
            [source, list(SEVERITIES)],
        ).fetchall()
        if wrong:
            raise ValueError(
                f"detections of {source} with an unknown severity {sorted(w[0] for w in wrong)};"
                f" use one of {SEVERITIES} or null for the type's"
            )
        summary = _merge(conn, source, now)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    # Alerts read what is new from a feed beside the warehouse (sensors never open DuckDB).
    refresh_exception_feed(conn)
    return summary


def _has_column(
    conn: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None, name: str
) -> bool:
    """Whether a detection query returns column `name` (planned, not run: limit 0)."""
    cursor = conn.execute(f"select * from ({query}) as detected limit 0", params or [])
    return name in {d[0] for d in cursor.description}


def _merge(conn: duckdb.DuckDBPyConnection, source: str, now: datetime) -> ExceptionSummary:
    before_open = _count_open(conn, source)
    unknown = conn.execute(
        """select distinct d.exception_type from ops.exception_detections d
           anti join ops.exception_types t using (exception_type) where d.source = ?""",
        [source],
    ).fetchall()
    if unknown:
        raise KeyError(f"unknown exception types detected: {sorted(u[0] for u in unknown)}")
    # Errors that are news: a new error, and a warning turning into one. An exception open as
    # an error before this table existed counts from its first sighting (told then already).
    conn.execute(
        """
        insert into ops.exception_error_since
        select md5(d.exception_type || '|' || d.entity_key) as exception_id,
               case when e.resolved_at is null and e.severity = 'error' then e.first_seen_at
                    else $now end
        from ops.exception_detections d join ops.exception_types t using (exception_type)
        left join ops.exceptions e on e.exception_id = md5(d.exception_type || '|' || d.entity_key)
        where d.source = $source and coalesce(d.severity, t.severity) = 'error'
        on conflict (exception_id) do nothing
        """,
        {"now": now, "source": source},
    )
    conn.execute(
        """
        insert into ops.exceptions (
            exception_id, exception_type, owner, severity, source, entity_key, vendor_code,
            purchase_order_number, asin, sku, reference, detail, first_seen_at, last_seen_at,
            resolved_at)
        select md5(d.exception_type || '|' || d.entity_key) as exception_id,
               d.exception_type, t.owner, coalesce(d.severity, t.severity) as severity,
               d.source, d.entity_key, d.vendor_code, d.purchase_order_number, d.asin, d.sku,
               d.reference, d.detail, $now as first_seen_at, $now as last_seen_at,
               null as resolved_at
        from ops.exception_detections d join ops.exception_types t using (exception_type)
        where d.source = $source
        on conflict (exception_id) do update set
            last_seen_at = excluded.last_seen_at,
            detail = excluded.detail,
            severity = excluded.severity,
            -- a cause that comes back reopens the exception but keeps its first sighting
            first_seen_at = case when ops.exceptions.resolved_at is null
                                 then ops.exceptions.first_seen_at else excluded.first_seen_at end,
            resolved_at = null
        """,
        {"now": now, "source": source},
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
    # An error no longer (resolved, or back to a warning) is news again when it next is one.
    conn.execute(
        """delete from ops.exception_error_since where exception_id in (
               select exception_id from ops.exceptions
               where source = ? and (resolved_at is not null or severity <> 'error'))""",
        [source],
    )
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


def loudest_open_severity(conn: duckdb.DuckDBPyConnection, exception_type: str) -> Severity | None:
    """The highest effective severity among the open exceptions of a type (None: none open):
    what its asset check shows, red as soon as one of them is an error."""
    row = conn.execute(
        """select max(list_position(?::varchar[], severity)) from ops.open_exceptions
           where exception_type = ?""",
        [list(SEVERITIES), exception_type],
    ).fetchone()
    return SEVERITIES[row[0] - 1] if row and row[0] else None


def open_exceptions(
    conn: duckdb.DuckDBPyConnection, exception_type: str, limit: int = 50
) -> tuple[int, list[dict[str, Any]]]:
    """Count and the first `limit` open exceptions of a type (for asset-check metadata)."""
    count = conn.execute(
        "select count(*) from ops.open_exceptions where exception_type = ?", [exception_type]
    ).fetchone()[0]
    cursor = conn.execute(
        """select severity, vendor_code, purchase_order_number, asin, sku, reference, detail,
                  first_seen_at
           from ops.open_exceptions where exception_type = ?
           order by list_position(['error', 'warn', 'info'], severity), first_seen_at,
                    entity_key
           limit ?""",
        [exception_type, limit],
    )
    names = [d[0] for d in cursor.description]
    return count, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
