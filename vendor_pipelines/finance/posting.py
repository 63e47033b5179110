"""Post verified settlements to NetSuite: one customer payment and one journal entry each.

Which payment may be posted is decided set-based in the data model, not here:
`finance.settlement_reconciliation.is_postable` / `posting_blocked_reason` per payment (unmapped
deduction code, unexplained variance, settlement drift, no NetSuite customer, unbalanced
journal). A held payment holds only itself: the others of the day are posted, and once its cause
is fixed the next run of the day posts it. Each posting is an upsert by the deterministic
external id from `finance.netsuite_bodies`, recorded in the submission ledger, so a re-run
posts nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.finance.netsuite_bodies import (
    UnpostableSettlementError,
    build_customer_payment,
    build_journal_entry,
    to_payload,
)
from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteError
from vendor_pipelines.query_rows import rows
from vendor_pipelines.submissions.ledger import (
    Outcome,
    payload_hash,
    record_outcomes,
    record_pending,
)

PAYMENT_CHANNEL = "netsuite.customerPayment"
JOURNAL_CHANNEL = "netsuite.journalEntry"
# What a reconciliation row built before the posting gate existed says (is_postable NULL).
UNVERIFIED = "not verified by the current settlement model: rebuild the settlement day"


@dataclass(frozen=True)
class HeldPayment:
    """A payment the data model holds back, and why (its exceptions come from the dbt step)."""

    payment_number: str
    settlement_date: date
    reason: str


@dataclass
class PostingReport:
    posted: int = 0
    unchanged: int = 0
    held: list[HeldPayment] = field(default_factory=list)
    # Payments the bodies refused although the model let them through (a safety net).
    unpostable: list[Detection] = field(default_factory=list)
    failed: list[Detection] = field(default_factory=list)


def settlements_for(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict]:
    """Payments of the window with whether they may be posted, and why not."""
    return rows(
        conn,
        """
        select r.settlement_id, r.settlement_date, r.customer_id,
               coalesce(r.is_postable, false) as is_postable,
               case when r.is_postable is null then ? else r.posting_blocked_reason end
                   as posting_blocked_reason
        from finance.settlement_reconciliation r
        where r.grain = 'payment' and r.settlement_date between ? and ?
        order by r.settlement_date, r.settlement_id
        """,
        [UNVERIFIED, start, end],
    )


def _rows_by_payment(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    key: str,
    payments: list[str],
    start: date,
    end: date,
) -> dict[str, list[dict[str, Any]]]:
    """Rows of the postable payments, read in one query (window-pruned) grouped by payment."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if payments:
        sql = (
            f"select * from {table} where settlement_date between ? and ?"
            f" and {key} in (select unnest(?::varchar[]))"
        )
        for row in rows(conn, sql, [start, end, payments]):
            grouped[row[key]].append(row)
    return grouped


def post_settlements(
    conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient, start: date, end: date
) -> PostingReport:
    report = PostingReport()
    settlements = settlements_for(conn, start, end)
    for settlement in settlements:
        if not settlement["is_postable"]:
            report.held.append(
                HeldPayment(
                    settlement["settlement_id"],
                    settlement["settlement_date"],
                    settlement["posting_blocked_reason"],
                )
            )
    postable = [s for s in settlements if s["is_postable"]]
    numbers = [s["settlement_id"] for s in postable]
    cash = _rows_by_payment(conn, "finance.cash_application", "payment_number", numbers, start, end)
    journals = _rows_by_payment(conn, "finance.gl_postings", "settlement_id", numbers, start, end)
    for settlement in postable:
        sid = settlement["settlement_id"]
        try:
            bodies = []
            # A payment of reversals alone (Amazon paying back disputed claims) settles no
            # invoice: its journal credits the claims and debits settlement clearing, where the
            # bank deposit lands; there is no invoice to apply a customer payment to.
            if any(row.get("apply_amount") for row in cash[sid]) or not journals[sid]:
                bodies.append(
                    (
                        PAYMENT_CHANNEL,
                        "customerPayment",
                        to_payload(
                            build_customer_payment(
                                sid,
                                settlement["settlement_date"],
                                settlement["customer_id"],
                                cash[sid],
                            )
                        ),
                    )
                )
            if journals[sid]:
                bodies.append(
                    (
                        JOURNAL_CHANNEL,
                        "journalEntry",
                        to_payload(
                            build_journal_entry(sid, settlement["settlement_date"], journals[sid])
                        ),
                    )
                )
        except UnpostableSettlementError as exc:
            report.unpostable.append(
                Detection("posting_failed", f"posting|{sid}", str(exc), reference=sid)
            )
            continue
        for channel, record_type, body in bodies:
            post_once(conn, netsuite, channel, record_type, body, sid, report)
    return report


def post_once(
    conn: duckdb.DuckDBPyConnection,
    netsuite: NetSuiteClient,
    channel: str,
    record_type: str,
    body: dict[str, Any],
    reference: str,
    report: PostingReport,
) -> None:
    """Upsert one body by its externalId unless the ledger holds it as succeeded with the same
    payload; counted in `report` (a NetSuite rejection is a `posting_failed` detection naming
    `reference`, the settlement or dispute case). Shared by every NetSuite posting of finance."""
    key, digest = body["externalId"], payload_hash(body)
    done = conn.execute(
        "select 1 from ops.submissions where channel = ? and submission_key = ?"
        " and status = 'succeeded' and payload_hash = ?",
        [channel, key, digest],
    ).fetchone()
    if done:
        report.unchanged += 1
        return
    record_pending(conn, channel, [(key, digest)])
    try:
        internal_id = netsuite.upsert_by_external_id(record_type, key, body)
    except NetSuiteError as exc:
        record_outcomes(conn, channel, [Outcome(key, "failed", error=str(exc))])
        report.failed.append(
            Detection(
                "posting_failed",
                f"{record_type}|{reference}",
                f"NetSuite rejected the {record_type}: {exc}",
                reference=reference,
            )
        )
        return
    record_outcomes(conn, channel, [Outcome(key, "succeeded", external_ref=str(internal_id))])
    report.posted += 1
