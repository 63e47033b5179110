"""Incremental pull of purchase orders (RP and DF) into the warehouse.

High-water marks live in `ops.sync_cursors`, one per (program, region, vendor code or warehouse),
and move to the start time of each successful pull; a small overlap re-reads the edge so an order
Amazon timestamps slightly late is not missed, and re-reading is harmless because landing merges
by payload hash. RP orders are pulled twice per window: created since the mark (new orders) and
changed since the mark (Amazon edits, which keep their old creation date).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import duckdb
from cryptography.fernet import Fernet

from vendor_pipelines.amazon.client import AmazonVendorClient, InvalidRecord
from vendor_pipelines.amazon.models.common import to_body
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.orders.df_addresses import store_df_addresses
from vendor_pipelines.orders.landing import LandingResult, land_purchase_orders
from vendor_pipelines.pii import scrub_payload

OVERLAP = timedelta(minutes=15)
BATCH = 500


@dataclass
class PullReport:
    received: int = 0
    changed: int = 0
    quarantined: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)

    def add(self, source: str, result: LandingResult) -> None:
        self.received += result.received
        self.changed += result.changed
        self.quarantined += result.quarantined
        self.sources[source] = self.sources.get(source, 0) + result.received


def _cursor(conn: duckdb.DuckDBPyConnection, source: str) -> datetime | None:
    row = conn.execute(
        "select high_water_mark from ops.sync_cursors where source = ?", [source]
    ).fetchone()
    return row[0] if row else None


def _advance(conn: duckdb.DuckDBPyConnection, source: str, mark: datetime) -> None:
    conn.execute(
        """insert into ops.sync_cursors values (?, ?, ?)
           on conflict (source) do update set high_water_mark = excluded.high_water_mark,
               updated_at = excluded.updated_at""",
        [source, mark, datetime.now(UTC)],
    )


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _quarantine_invalid(
    conn: duckdb.DuckDBPyConnection, program: str, invalid: list[InvalidRecord], now: datetime
) -> int:
    """Records that failed the API model: quarantined with the field Amazon's model requires."""
    if not invalid:
        return 0
    rows = []
    for record in invalid:
        raw = record.raw if isinstance(record.raw, dict) else {"raw": record.raw}
        # A record without a PO number is keyed by its content, stable across processes.
        key = (
            raw.get("purchaseOrderNumber")
            or f"md5:{hashlib.md5(to_json(raw).encode()).hexdigest()}"
        )
        rows.append(
            (
                f"{program} purchase order",
                key,
                f"{record.field}: {record.problem}",
                to_json(raw),
                now,
                now,
            )
        )
    conn.executemany(
        """insert into raw.amazon_quarantined_payloads values (?, ?, ?, ?, ?, ?)
           on conflict (payload_kind, payload_key) do update set reason = excluded.reason,
               payload = excluded.payload, last_seen_at = excluded.last_seen_at""",
        rows,
    )
    return len(rows)


def to_json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def pull_purchase_orders(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    *,
    vendor_codes: tuple[str, ...] = (),
    lookback: timedelta = timedelta(days=7),
    cipher: Fernet,
    now: datetime | None = None,
) -> PullReport:
    """Every region's RP and DF orders new or changed since each source's mark, consolidated.

    Each region keeps its own marks; every landed order remembers its region, so what is sent
    back about it (acknowledgement, ASN, invoice) goes to the host it came from.
    """
    started = now or datetime.now(UTC)
    report = PullReport()
    for region, client in amazon.items():
        report.regions.append(region)
        _pull_region(conn, client, region, vendor_codes, lookback, cipher, started, report)
    return report


def _pull_region(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonVendorClient,
    region: str,
    vendor_codes: tuple[str, ...],
    lookback: timedelta,
    cipher: Fernet,
    started: datetime,
    report: PullReport,
) -> None:
    for vendor_code in vendor_codes or (None,):
        source = f"RP:{region}:{vendor_code or '*'}"
        since = (_cursor(conn, source) or started - lookback) - OVERLAP
        invalid: list[InvalidRecord] = []
        fetched = {
            o.purchaseOrderNumber: o
            for query in ({"created_after": since}, {"changed_after": since})
            for o in amazon.iter_purchase_orders(
                **query,
                ordering_vendor_code=vendor_code,
                on_invalid=invalid.append,
            )
        }
        for batch in _batches(fetched.values()):
            payloads = [to_body(order) for order in batch]
            report.add(source, land_purchase_orders(conn, payloads, "RP", region, started))
        report.quarantined += _quarantine_invalid(conn, "RP", invalid, started)
        _advance(conn, source, started)
    source = f"DF:{region}:*"
    since = (_cursor(conn, source) or started - lookback) - OVERLAP
    invalid = []
    orders = amazon.iter_df_orders(
        created_after=since, created_before=started, on_invalid=invalid.append
    )
    for batch in _batches(orders):
        payloads = [to_body(order) for order in batch]
        if vendor_codes:
            payloads = [p for p in payloads if _df_vendor(p) in vendor_codes]
        # The consumer's address is encrypted apart; the landed payload keeps a tax location.
        store_df_addresses(conn, cipher, payloads, started)
        scrubbed = [scrub_payload(p) for p in payloads]
        report.add(source, land_purchase_orders(conn, scrubbed, "DF", region, started))
    report.quarantined += _quarantine_invalid(conn, "DF", invalid, started)
    _advance(conn, source, started)


def _df_vendor(payload: dict[str, Any]) -> str | None:
    return ((payload.get("orderDetails") or {}).get("sellingParty") or {}).get("partyId")
