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
    region_router,
)
from vendor_pipelines.submissions.ledger import (
    payload_hash,
    record_outcome,
    record_pending,
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


def send_documents(
    conn: duckdb.DuckDBPyConnection,
    channel: str,
    documents: Iterable[Document],
    amazon: AmazonRegions,
    send: Callable[[AmazonVendorClient, dict[str, Any]], Submission],
    report: SubmissionReport,
    api: Literal["rp", "df"] | None = None,
    lag: int = STATUS_LAG,
) -> None:
    """Send each document to its purchase order's SP-API region, recording it around the call.

    `api` names the transaction-status API the caller polls afterwards (`poll_transactions`);
    given, statuses are asked as the documents go, `lag` documents behind (`StatusChecks`), and
    the poll finds less."""
    region_of = region_router(conn)
    checks = StatusChecks(conn, amazon, report, api, lag) if api else None
    for doc in documents:
        region = region_of(doc.purchase_order_number, doc.vendor_code) or amazon.home
        record_pending(conn, channel, [(doc.key, doc.payload_hash)])
        try:
            submission = send(amazon[region], doc.body)
        except AmazonError as exc:
            # Left pending: the next run resends the same body under the same key.
            report.transmission_errors.append(
                Detection(
                    "transmission_error",
                    f"{channel}|{doc.key}",
                    f"{channel} {doc.key} failed after retries: {exc}",
                    vendor_code=doc.vendor_code,
                    purchase_order_number=doc.purchase_order_number,
                    reference=doc.key,
                )
            )
            continue
        record_outcome(
            conn, channel, doc.key, "sent", external_ref=submission.transaction_id, region=region
        )
        report.sent += 1
        if checks:
            checks.sent(channel, [doc.key], region, submission.transaction_id)


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
