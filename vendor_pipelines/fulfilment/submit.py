"""Send documents to Amazon exactly once through the submission ledger, then poll them.

Each document has a deterministic key (ASN shipment id, invoice number, PO) and a body built
only from warehouse data, so a resend after a crash is byte-identical and Amazon absorbs it. A
document is recorded `pending` before it is sent and `sent` with its transaction id after; the
poll moves `sent` to `succeeded` or `failed` (Amazon's error text kept in `last_error`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from vendor_pipelines.amazon.client import AmazonVendorClient, Submission
from vendor_pipelines.amazon.errors import AmazonError
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.submissions.amazon_transactions import (
    STATUS_LAG,
    StatusChecks,
    SubmissionReport,
    poll_transactions,
    region_router,
)
from vendor_pipelines.submissions.ledger import (
    Outcome,
    payload_hash,
    record_outcomes,
    record_pending,
    refused_with_others,
)


@dataclass(frozen=True)
class Document:
    key: str
    body: dict[str, Any]
    vendor_code: str | None = None
    purchase_order_number: str | None = None

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.body)


def ledger_state(conn: duckdb.DuckDBPyConnection, channel: str) -> dict[str, tuple[str, str]]:
    """key -> (status, payload hash) for one channel."""
    rows = conn.execute(
        "select submission_key, status, payload_hash from ops.submissions where channel = ?",
        [channel],
    ).fetchall()
    return {key: (status, digest) for key, status, digest in rows}


def needs_sending(state: tuple[str, str] | None, digest: str, *, resend_changed: bool) -> bool:
    """New, left pending by a crash, or (if allowed) failed/succeeded with different content."""
    if state is None or state[0] == "pending":
        return True
    status, sent_digest = state
    if status in ("failed", "withdrawn"):
        return sent_digest != digest  # a fixed document goes again; an unchanged one waits
    return resend_changed and status == "succeeded" and sent_digest != digest


# Documents of one region sent in one request, where the operation takes a list (ASNs,
# invoices, DF confirmations): Amazon limits each submit operation to 10 requests a second, so
# one document a request spent a tenth of a second on each.
DOCUMENTS_PER_REQUEST = 20

# `send(client, bodies)`: one request carrying the bodies, Amazon's transaction id back.
Sender = Callable[[AmazonVendorClient, list[dict[str, Any]]], Submission]


def send_documents(
    conn: duckdb.DuckDBPyConnection,
    channel: str,
    documents: Iterable[Document],
    amazon: AmazonRegions,
    send: Sender,
    report: SubmissionReport,
    api: Literal["rp", "df"] | None = None,
    lag: int = STATUS_LAG,
    per_request: int = 1,
) -> None:
    """Send each document to its purchase order's SP-API region, recording it around the call.

    Up to `per_request` documents of a region go in one request; one refused in a request with
    others (`refused_with_others`) goes alone. `api` names the transaction-status API the
    caller polls afterwards (`poll_transactions`); given, statuses are asked as the documents
    go, `lag` requests behind (`StatusChecks`), and the poll finds less."""
    region_of = region_router(conn)
    checks = StatusChecks(conn, amazon, report, api, lag) if api else None
    alone = refused_with_others(conn, channel)
    waiting: dict[str, list[Document]] = {}
    for doc in documents:
        region = region_of(doc.purchase_order_number, doc.vendor_code) or amazon.home
        record_pending(conn, channel, [(doc.key, doc.payload_hash)])
        if doc.key in alone or per_request <= 1:
            _send(conn, channel, region, [doc], amazon, send, report, checks)
            continue
        group = waiting.setdefault(region, [])
        group.append(doc)
        if len(group) >= per_request:
            _send(conn, channel, region, group, amazon, send, report, checks)
            waiting[region] = []
    for region, group in waiting.items():
        _send(conn, channel, region, group, amazon, send, report, checks)


def _send(
    conn: duckdb.DuckDBPyConnection,
    channel: str,
    region: str,
    docs: list[Document],
    amazon: AmazonRegions,
    send: Sender,
    report: SubmissionReport,
    checks: StatusChecks | None,
) -> None:
    if not docs:
        return
    try:
        submission = send(amazon[region], [doc.body for doc in docs])
    except AmazonError as exc:
        # Left pending: the next run resends the same bodies under the same keys.
        report.transmission_errors.extend(
            Detection(
                "transmission_error",
                f"{channel}|{doc.key}",
                f"{channel} {doc.key} failed after retries: {exc}",
                vendor_code=doc.vendor_code,
                purchase_order_number=doc.purchase_order_number,
                reference=doc.key,
            )
            for doc in docs
        )
        return
    record_outcomes(
        conn,
        channel,
        [Outcome(doc.key, "sent", submission.transaction_id, region=region) for doc in docs],
    )
    report.sent += len(docs)
    if checks:
        checks.sent(channel, [doc.key for doc in docs], region, submission.transaction_id)


def send_and_poll(
    conn: duckdb.DuckDBPyConnection,
    channel: str,
    documents: Iterable[Document],
    amazon: AmazonRegions,
    send: Sender,
    report: SubmissionReport,
    api: Literal["rp", "df"],
    budget_seconds: float,
    per_request: int = DOCUMENTS_PER_REQUEST,
) -> None:
    """`send_documents` many to a request, then the poll; a request Amazon refused whole says
    nothing of which document is wrong, so each of its documents goes again alone, in this run,
    and is polled on its own: the good ones are taken, the wrong one refused for itself."""
    documents = list(documents)
    send_documents(conn, channel, documents, amazon, send, report, api, per_request=per_request)
    poll_transactions(conn, amazon, channel, api, report, budget_seconds)
    refused = refused_with_others(conn, channel)
    again = [doc for doc in documents if doc.key in refused]
    if again:
        send_documents(conn, channel, again, amazon, send, report, api)
        poll_transactions(conn, amazon, channel, api, report, budget_seconds)


def rejections_sql(channels: tuple[str, ...], exception_type: str, what: str) -> str:
    """Failed submissions of the channels as detections (joined to fulfilments/invoices later)."""
    names = ", ".join(f"'{c}'" for c in channels)
    return f"""
    select '{exception_type}' as exception_type, s.channel || '|' || s.submission_key as entity_key,
           null as vendor_code, null as purchase_order_number, null as asin, null as sku,
           s.submission_key as reference,
           '{what} ' || s.submission_key || ' rejected by Amazon: ' || coalesce(s.last_error, '?')
               as detail
    from ops.submissions s
    where s.channel in ({names}) and s.status = 'failed'
    """


def union_all(queries: list[str]) -> str:
    """Detection queries (each may have its own WITH) as one SELECT."""
    return " union all ".join(f"select * from ({query})" for query in queries)
