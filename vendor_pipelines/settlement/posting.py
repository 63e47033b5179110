"""Post verified settlements to NetSuite: one customer payment and one journal entry each.

A settlement is postable only when nothing blocks it: no unmapped deduction class, no
unexplained variance above tolerance (both are also blocking asset checks upstream). Each
posting is an upsert by the deterministic external id from `finance.netsuite_bodies`, recorded
in the submission ledger, so a re-run posts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from vendor_pipelines.finance.netsuite_bodies import (
    UnpostableSettlementError,
    build_customer_payment,
    build_journal_entry,
    to_payload,
)
from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteError
from vendor_pipelines.ops.exceptions import Detection
from vendor_pipelines.ops.ledger import (
    Outcome,
    ensure_ledger_tables,
    payload_hash,
    record_outcomes,
    record_pending,
)

PAYMENT_CHANNEL = "netsuite.customerPayment"
JOURNAL_CHANNEL = "netsuite.journalEntry"


@dataclass
class PostingReport:
    posted: int = 0
    unchanged: int = 0
    blocked: list[Detection] = field(default_factory=list)
    failed: list[Detection] = field(default_factory=list)


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def settlements_for(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict]:
    """Settlements of the window with what would block their posting."""
    return _rows(
        conn,
        """
        select r.settlement_id, r.settlement_date, r.customer_id,
               r.unexplained_variance, r.is_within_tolerance as within_tolerance,
               r.unmapped_charge_count as unmapped_lines
        from finance.settlement_reconciliation r
        where r.grain = 'payment' and r.settlement_date between ? and ?
        order by r.settlement_date, r.settlement_id
        """,
        [start, end],
    )


def post_settlements(
    conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient, start: date, end: date
) -> PostingReport:
    ensure_ledger_tables(conn)
    report = PostingReport()
    for settlement in settlements_for(conn, start, end):
        sid = settlement["settlement_id"]
        reason = None
        if settlement["unmapped_lines"]:
            reason = f"{settlement['unmapped_lines']} deduction lines have no GL account"
        elif not settlement["within_tolerance"]:
            reason = f"unexplained variance {settlement['unexplained_variance']} above tolerance"
        if reason:
            report.blocked.append(
                Detection(
                    "unexplained_variance" if "variance" in reason else "unmapped_deduction_code",
                    f"posting|{sid}",
                    f"GL posting of settlement {sid} blocked: {reason}",
                    reference=sid,
                )
            )
            continue
        cash = _rows(conn, "select * from finance.cash_application where payment_number = ?", [sid])
        gl = _rows(conn, "select * from finance.gl_postings where settlement_id = ?", [sid])
        try:
            bodies = [
                (
                    PAYMENT_CHANNEL,
                    "customerPayment",
                    to_payload(
                        build_customer_payment(
                            sid, settlement["settlement_date"], settlement["customer_id"], cash
                        )
                    ),
                ),
            ]
            if gl:
                bodies.append(
                    (
                        JOURNAL_CHANNEL,
                        "journalEntry",
                        to_payload(build_journal_entry(sid, settlement["settlement_date"], gl)),
                    )
                )
        except UnpostableSettlementError as exc:
            report.blocked.append(
                Detection("posting_failed", f"posting|{sid}", str(exc), reference=sid)
            )
            continue
        for channel, record_type, body in bodies:
            _post(conn, netsuite, channel, record_type, body, sid, report)
    return report


def _post(
    conn: duckdb.DuckDBPyConnection,
    netsuite: NetSuiteClient,
    channel: str,
    record_type: str,
    body: dict[str, Any],
    settlement_id: str,
    report: PostingReport,
) -> None:
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
                f"{record_type}|{settlement_id}",
                f"NetSuite rejected the {record_type}: {exc}",
                reference=settlement_id,
            )
        )
        return
    record_outcomes(conn, channel, [Outcome(key, "succeeded", external_ref=str(internal_id))])
    report.posted += 1
