"""Amazon submissions through the ledger: which region a document goes to, and its final status.

Every Amazon submit answers with a transaction id that only the host it was submitted to knows,
so the ledger keeps the region beside the transaction id and the poll asks that region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from vendor_pipelines.amazon.errors import AmazonError, TransactionTimeoutError
from vendor_pipelines.amazon.models.common import TransactionStatusCode
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.submissions.ledger import record_outcome, submissions


@dataclass
class SubmissionReport:
    """What one run did with its submissions: sent, final outcomes, still processing, errors."""

    sent: int = 0
    succeeded: int = 0
    failed: int = 0
    processing: int = 0
    transmission_errors: list[Detection] = field(default_factory=list)


def poll_transactions(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    channel: str,
    api: str,
    report: SubmissionReport,
    budget_seconds: float = 60.0,
) -> None:
    """Poll every `sent` submission of a channel (this run's and earlier runs') to a final state.

    Success -> `succeeded`; Failure -> `failed` with Amazon's error list (code, message,
    details) in `last_error`; still Processing when the budget runs out -> left `sent` for the
    next run; status unavailable after retries -> a transmission error, also left `sent`.
    """
    for row in submissions(conn, channel, "sent"):
        try:
            txn = amazon[row["region"]].wait_for_transaction(
                row["external_ref"], api=api, budget_seconds=budget_seconds, poll_interval=0.2
            )
        except TransactionTimeoutError:
            report.processing += 1
            continue
        except AmazonError as exc:
            report.transmission_errors.append(
                Detection(
                    "transmission_error",
                    f"{channel}|{row['submission_key']}|status",
                    f"transaction status of {row['submission_key']} unavailable: {exc}",
                    reference=row["submission_key"],
                )
            )
            continue
        if txn.status == TransactionStatusCode.Success:
            record_outcome(conn, channel, row["submission_key"], "succeeded")
            report.succeeded += 1
        else:
            errors = "; ".join(
                f"{e.code}: {e.message}" + (f" [{e.details}]" if e.details else "")
                for e in txn.error_list
            )
            record_outcome(conn, channel, row["submission_key"], "failed", error=errors)
            report.failed += 1


def region_router(
    conn: duckdb.DuckDBPyConnection,
) -> Callable[[str | None, str | None], str | None]:
    """(purchase order number, vendor code) -> the SP-API region it belongs to, from the orders.

    A purchase order answers for itself; a document without one (a DF inventory update) goes to
    the region of its vendor code. None (nothing known) means the home region.
    """
    try:
        rows = conn.execute(
            "select purchase_order_number, vendor_code, region from raw.amazon_purchase_orders"
        ).fetchall()
    except duckdb.CatalogException:  # no order pulled yet
        rows = []
    by_order = {po: region for po, _, region in rows}
    by_vendor = {vendor: region for _, vendor, region in rows if vendor}

    def region(purchase_order_number: str | None, vendor_code: str | None) -> str | None:
        return by_order.get(purchase_order_number or "") or by_vendor.get(vendor_code or "")

    return region
