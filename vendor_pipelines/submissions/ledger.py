"""The submission ledger (`ops.submissions`): how every external write happens exactly once.

A write is recorded as `pending` *before* it is sent and as `succeeded`/`failed`/`sent` after.
A re-run skips keys that already succeeded with the same payload; a crash between "sent" and
"recorded" leaves a `pending` row, which the next run resends under the same deterministic key, so
the receiving system's own idempotency (NetSuite externalId upsert, Amazon transaction ids and
per-PO replacement rules) absorbs the duplicate instead of creating a second record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd


def payload_hash(payload: Any) -> str:
    """A stable hash of a JSON-able payload (key order and whitespace do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def remember_payload(conn: duckdb.DuckDBPyConnection, channel: str, key: str, payload: Any) -> None:
    conn.execute(
        """insert into ops.submission_payloads values (?, ?, ?)
           on conflict (channel, submission_key) do update set payload = excluded.payload""",
        [channel, key, json.dumps(payload, sort_keys=True, default=str)],
    )


def remembered_payload(conn: duckdb.DuckDBPyConnection, channel: str, key: str) -> Any | None:
    row = conn.execute(
        "select payload from ops.submission_payloads where channel = ? and submission_key = ?",
        [channel, key],
    ).fetchone()
    return json.loads(row[0]) if row else None


def remembered_payloads(
    conn: duckdb.DuckDBPyConnection, channel: str, keys: Iterable[str]
) -> dict[str, Any]:
    """`remembered_payload` of many keys in one query: key -> payload, for the keys remembered."""
    keys = list(keys)
    if not keys:
        return {}
    rows = conn.execute(
        """select submission_key, payload from ops.submission_payloads
           where channel = ? and submission_key in (select unnest(?::varchar[]))""",
        [channel, keys],
    ).fetchall()
    return {key: json.loads(payload) for key, payload in rows}


def remember_payloads(
    conn: duckdb.DuckDBPyConnection, channel: str, items: Iterable[tuple[str, Any]]
) -> None:
    """`remember_payload` of many (key, payload) pairs in one statement (last one wins)."""
    latest = {key: json.dumps(payload, sort_keys=True, default=str) for key, payload in items}
    if not latest:
        return
    conn.execute(
        """insert into ops.submission_payloads
           select ?, unnest(?::varchar[]), unnest(?::varchar[])
           on conflict (channel, submission_key) do update set payload = excluded.payload""",
        [channel, list(latest), list(latest.values())],
    )


def record_pending(
    conn: duckdb.DuckDBPyConnection, channel: str, items: Iterable[tuple[str, str]]
) -> None:
    """Mark (key, payload hash) pairs as about to be sent, in one set-based statement."""
    frame = pd.DataFrame(list(items), columns=["submission_key", "payload_hash"])
    if frame.empty:
        return
    now = datetime.now(UTC)
    conn.register("pending_frame", frame)
    try:
        conn.execute(
            """insert into ops.submissions
                   (channel, submission_key, payload_hash, status, attempts,
                    first_attempt_at, last_attempt_at)
               select ?, submission_key, payload_hash, 'pending', 1, ?, ? from pending_frame
               on conflict (channel, submission_key) do update set
                   payload_hash = excluded.payload_hash, status = 'pending',
                   attempts = ops.submissions.attempts + 1,
                   last_attempt_at = excluded.last_attempt_at""",
            [channel, now, now],
        )
    finally:
        conn.unregister("pending_frame")


@dataclass(frozen=True)
class Outcome:
    key: str
    status: str  # sent | succeeded | failed | withdrawn (a rejected change since undone)
    external_ref: str | None = None
    error: str | None = None
    region: str | None = None  # SP-API region of an Amazon submission


def record_outcomes(
    conn: duckdb.DuckDBPyConnection, channel: str, outcomes: Iterable[Outcome]
) -> None:
    """Record what happened to many submissions in one statement."""
    rows = list(outcomes)
    if not rows:
        return
    unknown = {o.status for o in rows} - {"sent", "succeeded", "failed", "withdrawn"}
    if unknown:
        raise ValueError(f"unknown submission status {sorted(unknown)}")
    frame = pd.DataFrame(
        [(o.key, o.status, o.external_ref, o.error, o.region) for o in rows],
        columns=["submission_key", "status", "external_ref", "last_error", "region"],
    ).astype({"external_ref": "object", "last_error": "object", "region": "object"})
    conn.register("outcome_frame", frame)
    try:
        conn.execute(
            """update ops.submissions s
               set status = o.status, external_ref = coalesce(o.external_ref, s.external_ref),
                   region = coalesce(o.region, s.region),
                   last_error = o.last_error, last_attempt_at = ?
               from outcome_frame o
               where s.channel = ? and s.submission_key = o.submission_key""",
            [datetime.now(UTC), channel],
        )
    finally:
        conn.unregister("outcome_frame")


def record_outcome(
    conn: duckdb.DuckDBPyConnection,
    channel: str,
    key: str,
    status: str,
    external_ref: str | None = None,
    error: str | None = None,
    region: str | None = None,
) -> None:
    record_outcomes(conn, channel, [Outcome(key, status, external_ref, error, region)])


def record_to_resend(
    conn: duckdb.DuckDBPyConnection, channel: str, keys: Iterable[str], error: str
) -> None:
    """Make sent submissions pending again, why in `last_error`: their sender sends them again.
    The transaction id they went under is kept (a pending row with one went in a request that
    is not their own answer)."""
    conn.execute(
        """update ops.submissions set status = 'pending', last_error = ?, last_attempt_at = ?
           where channel = ? and submission_key in (select unnest(?::varchar[]))""",
        [error, datetime.now(UTC), channel, list(keys)],
    )


def refused_with_others(conn: duckdb.DuckDBPyConnection, channel: str) -> set[str]:
    """Keys `record_to_resend` made pending again: refused in a request with other documents,
    so they go alone."""
    rows = conn.execute(
        """select submission_key from ops.submissions
           where channel = ? and status = 'pending' and external_ref is not null""",
        [channel],
    ).fetchall()
    return {key for (key,) in rows}


def submissions(conn: duckdb.DuckDBPyConnection, channel: str, status: str) -> list[dict]:
    cursor = conn.execute(
        """select submission_key, payload_hash, external_ref, attempts, last_error, region
           from ops.submissions where channel = ? and status = ? order by submission_key""",
        [channel, status],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
