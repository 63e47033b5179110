"""Amazon submissions through the ledger: which region a document goes to, and its final status.

Every Amazon submit answers with a transaction id that only the host it was submitted to knows,
so the ledger keeps the region beside the transaction id and the poll asks that region. One
transaction may carry several documents (acknowledgements go many to a request): each is polled
once and its status is every document's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import duckdb

from vendor_pipelines.amazon.errors import AmazonError, TransactionTimeoutError
from vendor_pipelines.amazon.models.common import TransactionStatusCode
from vendor_pipelines.amazon.models.transactions import Transaction
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.submissions.ledger import (
    Outcome,
    record_outcomes,
    record_to_resend,
    submissions,
)


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
    A transaction carrying several documents is asked once, for all of them.
    """
    transactions: dict[tuple[str, str], list[dict]] = {}
    for row in submissions(conn, channel, "sent"):
        transactions.setdefault((row["region"], row["external_ref"]), []).append(row)
    for (region, transaction_id), rows in transactions.items():
        keys = [row["submission_key"] for row in rows]
        try:
            txn = amazon[region].wait_for_transaction(
                transaction_id, api=api, budget_seconds=budget_seconds, poll_interval=0.2
            )
        except TransactionTimeoutError:
            report.processing += len(keys)
            continue
        except AmazonError as exc:
            report.transmission_errors.extend(
                Detection(
                    "transmission_error",
                    f"{channel}|{key}|status",
                    f"transaction status of {key} unavailable: {exc}",
                    reference=key,
                )
                for key in keys
            )
            continue
        _record_final(conn, channel, keys, txn, report)


def _record_final(
    conn: duckdb.DuckDBPyConnection,
    channel: str,
    keys: Sequence[str],
    txn: Transaction,
    report: SubmissionReport,
) -> None:
    if txn.status == TransactionStatusCode.Success:
        record_outcomes(conn, channel, [Outcome(key, "succeeded") for key in keys])
        report.succeeded += len(keys)
        return
    errors = "; ".join(
        f"{e.code}: {e.message}" + (f" [{e.details}]" if e.details else "") for e in txn.error_list
    )
    if len(keys) == 1:
        record_outcomes(conn, channel, [Outcome(keys[0], "failed", error=errors)])
        report.failed += 1
        return
    # Refused together, the documents do not say which of them is wrong: each is made pending
    # again (its transaction id kept, which marks it), for its sender to send alone.
    record_to_resend(
        conn,
        channel,
        keys,
        error=f"refused with {len(keys) - 1} other(s) in one request, to go alone: {errors}",
    )


# Submissions between sending one and asking its status (`StatusChecks`).
STATUS_LAG = 20


class StatusChecks:
    """Asks each submission's status once, `lag` submissions after it was sent, while the run is
    still sending; `poll_transactions` then polls only what is left `sent`.

    Amazon limits the submit operations and the transaction-status operation separately (10
    requests a second each, the status one with a burst of 20), so a run that sends everything
    and then polls waits on one limit after the other. Asking as it goes spends the status
    limit while the submit limit is the one being waited on. `lag` gives Amazon time to decide
    (two seconds at the submit limit); a transaction still Processing, or a status that cannot
    be read, is simply left to the poll. `api` is the status API of the submissions ("rp", "df").
    """

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        amazon: AmazonRegions,
        report: SubmissionReport,
        api: Literal["rp", "df"],
        lag: int = STATUS_LAG,
    ) -> None:
        self._conn, self._amazon, self._report = conn, amazon, report
        self._api, self._lag = api, lag
        self._waiting: deque[tuple[str, Sequence[str], str, str]] = deque()

    def sent(self, channel: str, keys: Sequence[str], region: str, transaction_id: str) -> None:
        """`keys`: the documents the transaction carries."""
        self._waiting.append((channel, keys, region, transaction_id))
        if len(self._waiting) > self._lag:
            self._ask(*self._waiting.popleft())

    def _ask(self, channel: str, keys: Sequence[str], region: str, transaction_id: str) -> None:
        client = self._amazon[region]
        getter = client.get_transaction if self._api == "rp" else client.get_df_transaction
        try:
            txn = getter(transaction_id)
        except AmazonError:
            return
        if txn.status != TransactionStatusCode.Processing:
            _record_final(self._conn, channel, keys, txn, self._report)


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
