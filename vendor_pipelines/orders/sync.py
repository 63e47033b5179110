"""Push the order plans out: NetSuite sales orders, then Amazon acknowledgements.

Every write goes through the submission ledger (recorded before and after sending) under a
deterministic key, so a re-run, a retry or a crash never creates a second sales order or a
conflicting acknowledgement. HTTP calls run in a thread pool sized to the NetSuite account's
concurrency; only the calling thread touches the warehouse connection.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
from cryptography.fernet import Fernet

from vendor_pipelines.amazon.errors import AmazonError
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteError
from vendor_pipelines.orders.bodies import (
    by_purchase_order,
    df_acknowledgement,
    keep_cancelled_lines,
    rp_acknowledgement,
    sales_order_body,
)
from vendor_pipelines.orders.df_addresses import encrypted_address
from vendor_pipelines.orders.plans import (
    ACK_CHANNELS,
    SALES_ORDER_CANCELLATION_CHANNEL,
    SALES_ORDER_CHANNEL,
    OrderRules,
    acknowledgement_lines,
    cancelled_sales_order_lines,
    iter_sales_order_lines_to_sync,
)
from vendor_pipelines.pii import decrypt_address
from vendor_pipelines.submissions.amazon_transactions import (
    StatusChecks,
    SubmissionReport,
    poll_transactions,
)
from vendor_pipelines.submissions.ledger import (
    Outcome,
    payload_hash,
    record_outcomes,
    record_pending,
    refused_with_others,
    remember_payload,
    remember_payloads,
    remembered_payload,
    remembered_payloads,
)

OUTCOME_BATCH = 200
# POs planned, recorded pending and handed to the pool at a time (the first batch small, so the
# first request leaves early; see sync_sales_orders).
FIRST_PLAN_BATCH, PLAN_BATCH = 10, 100


@contextmanager
def _answers_read_promptly(interval: float = 0.001) -> Iterator[None]:
    """While this thread plans in Python, a pool thread whose NetSuite answer arrived waits for
    the interpreter lock up to the switch interval (5 ms by default) before it reads it, and
    its concurrency slot stays taken meanwhile (5 ms on a 50 ms request is a tenth of the
    account's throughput). A shorter interval for the sync's length hands the lock over sooner
    (bench orders: 0.93 -> 0.95-0.97 of a bare client's rate)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def sync_sales_orders(
    conn: duckdb.DuckDBPyConnection,
    netsuite: NetSuiteClient,
    rules: OrderRules,
    cipher: Fernet,
    workers: int,
) -> SubmissionReport:
    """Upsert one sales order per changed, mappable PO (externalId = amzn-<program>-<vc>-<po>).

    The planning query runs once; its rows are then read, planned and recorded pending
    `PLAN_BATCH` POs at a time (the first batch smaller), each batch handed to the pool as soon
    as its pending rows are written: the first requests go out while the rest is planned.
    """
    report = SubmissionReport()
    futures: dict[Any, dict[str, Any]] = {}
    with _answers_read_promptly(), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        orders = by_purchase_order(iter_sales_order_lines_to_sync(conn))
        for batch in _batches(orders, FIRST_PLAN_BATCH, PLAN_BATCH):
            planned = _plan_sales_orders(conn, batch, rules, cipher)
            # The ledger keeps the PO's content hash, so an unchanged PO is not upserted again.
            # Pending before sent: a batch is recorded before any of its orders is submitted.
            record_pending(
                conn,
                SALES_ORDER_CHANNEL,
                [(h["sales_order_external_id"], h["content_hash"]) for h, _ in planned],
            )
            for head, body in planned:
                future = pool.submit(
                    netsuite.upsert_by_external_id,
                    "salesOrder",
                    head["sales_order_external_id"],
                    body,
                )
                futures[future] = head
        # Outcomes are written in batches: a crash before a batch is written only means those
        # orders are upserted again under the same externalId next time, which changes nothing.
        outcomes: list[Outcome] = []
        for future in as_completed(futures):
            head = futures[future]
            key = head["sales_order_external_id"]
            try:
                outcomes.append(Outcome(key, "succeeded", external_ref=str(future.result())))
                report.succeeded += 1
            except NetSuiteError as exc:
                outcomes.append(Outcome(key, "failed", error=str(exc)))
                report.failed += 1
                report.transmission_errors.append(
                    _transmission(head, "NetSuite salesOrder upsert", exc)
                )
            if len(outcomes) >= OUTCOME_BATCH:
                record_outcomes(conn, SALES_ORDER_CHANNEL, outcomes)
                outcomes = []
    record_outcomes(conn, SALES_ORDER_CHANNEL, outcomes)
    return report


def _plan_sales_orders(
    conn: duckdb.DuckDBPyConnection,
    orders: list[list[dict[str, Any]]],
    rules: OrderRules,
    cipher: Fernet,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The sales order bodies of some POs' lines, their remembered lines read and written in one
    statement each (not one query per PO)."""
    keys = [lines[0]["sales_order_external_id"] for lines in orders]
    previous = remembered_payloads(conn, SALES_ORDER_CHANNEL, keys)
    planned: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for lines in orders:
        head = lines[0]
        address = None
        if head["program"] == "DF" and (
            token := encrypted_address(conn, head["purchase_order_number"])
        ):
            address = decrypt_address(cipher, token)
        auto = rules.auto_acknowledge_df if head["program"] == "DF" else rules.auto_acknowledge_rp
        key = head["sales_order_external_id"]
        body = keep_cancelled_lines(sales_order_body(lines, auto, address), previous.get(key))
        planned.append((head, body))
    # Only the lines are kept: a DF order's ship-to address never lands in the warehouse.
    remember_payloads(
        conn,
        SALES_ORDER_CHANNEL,
        [(head["sales_order_external_id"], {"item": body["item"]}) for head, body in planned],
    )
    return planned


def _batches(items: Iterable[Any], first: int, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= first:
            yield batch
            batch, first = [], size
    if batch:
        yield batch


def close_cancelled_lines(conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient) -> int:
    """Close the sales order lines Amazon cancelled after the order was created; return POs.

    The lines are found on the sales order itself (by Amazon item sequence), so a line that
    never reached NetSuite, or is already closed, is left alone; the whole PO's cancellation
    closes every line, which closes the order.
    """
    rows = cancelled_sales_order_lines(conn)
    record_pending(
        conn,
        SALES_ORDER_CANCELLATION_CHANNEL,
        [(r["submission_key"], r["cancellation_hash"]) for r in rows],
    )
    outcomes = []
    for row in rows:
        cancelled = set(row["item_sequences"])
        try:
            lines = netsuite.get_sublist("salesOrder", row["sales_order_id"], "item")
            to_close = [
                int(line["line"])
                for line in lines
                if str(line.get("custcol_amazon_item_sequence")) in cancelled
                and not line.get("isClosed")
            ]
            if to_close:
                netsuite.close_sales_order_lines(row["sales_order_id"], to_close)
            outcomes.append(Outcome(row["submission_key"], "succeeded", row["sales_order_id"]))
        except NetSuiteError as exc:
            outcomes.append(Outcome(row["submission_key"], "failed", error=str(exc)))
    record_outcomes(conn, SALES_ORDER_CANCELLATION_CHANNEL, outcomes)
    return len(rows)


def _transmission(head: dict[str, Any], what: str, exc: Exception) -> Detection:
    return Detection(
        "transmission_error",
        f"{what}|{head['purchase_order_number']}",
        f"{what} failed after retries: {exc}",
        vendor_code=head.get("vendor_code"),
        purchase_order_number=head["purchase_order_number"],
    )


# Purchase orders answered in one submitAcknowledgement request (RP and DF take a list). Amazon
# limits the operation to 10 requests a second: one order a request spent a tenth of a second
# on each (a large vendor's 2,000 orders of a day: over three minutes); twenty keep a request
# small, and a refused one costs twenty orders sent again alone.
ACKNOWLEDGEMENTS_PER_REQUEST = 20


def submit_acknowledgements(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    rules: OrderRules,
    netsuite: NetSuiteClient,
    *,
    now: datetime | None = None,
    budget_seconds: float = 60.0,
    per_request: int = ACKNOWLEDGEMENTS_PER_REQUEST,
) -> SubmissionReport:
    """Acknowledge every PO that has a sales order and no acknowledgement, then poll outcomes.

    Orders go `per_request` to a request; a request Amazon refuses says nothing of which of its
    orders is wrong, so after the poll each of them goes again alone (the same body) and is
    polled on its own: the good ones are taken, the wrong one is refused for itself."""
    now = now or datetime.now(UTC)
    report = SubmissionReport()
    _acknowledge(conn, amazon, rules, netsuite, now, report, per_request)
    report_outcomes(conn, amazon, report, budget_seconds)
    # The plan is read again only when the poll sent some orders back (rarely): it is the
    # costly query of the run.
    if any(refused_with_others(conn, channel) for channel in ACK_CHANNELS.values()):
        _acknowledge(conn, amazon, rules, netsuite, now, report, per_request, refused_only=True)
        report_outcomes(conn, amazon, report, budget_seconds)
    return report


def _acknowledge(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    rules: OrderRules,
    netsuite: NetSuiteClient,
    now: datetime,
    report: SubmissionReport,
    per_request: int,
    *,
    refused_only: bool = False,
) -> int:
    """Send the acknowledgements due (or only those refused with others); returns how many."""
    checks = {
        "RP": StatusChecks(conn, amazon, report, "rp"),
        "DF": StatusChecks(conn, amazon, report, "df"),
    }
    waiting: dict[tuple[str, str], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    sent = 0
    for lines in by_purchase_order(acknowledgement_lines(conn, rules)):
        head = lines[0]
        if refused_only and not head["refused_with_others"]:
            continue
        channel = ACK_CHANNELS[head["program"]]
        if head["program"] == "RP":
            body = rp_acknowledgement(lines, now, now + timedelta(days=2))
        else:
            body = df_acknowledgement(lines, now)
        key = head["purchase_order_number"]
        # An answer that may have reached Amazon goes again exactly as it was: Amazon takes an
        # identical resubmission for the one it has; a new body would answer the PO twice.
        body = remembered_payload(conn, channel, key) or body
        remember_payload(conn, channel, key, body)
        record_pending(conn, channel, [(key, payload_hash(body))])
        if head["refused_with_others"]:
            sent += _send_acknowledgements(conn, amazon, netsuite, checks, report, [(head, body)])
            continue
        # with the others of its program answered on the host the order came from
        group = waiting.setdefault((head["program"], head["region"]), [])
        group.append((head, body))
        if len(group) >= per_request:
            sent += _send_acknowledgements(conn, amazon, netsuite, checks, report, group)
            group.clear()
    for group in waiting.values():
        sent += _send_acknowledgements(conn, amazon, netsuite, checks, report, group)
    return sent


def _send_acknowledgements(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    netsuite: NetSuiteClient,
    checks: dict[str, StatusChecks],
    report: SubmissionReport,
    group: list[tuple[dict[str, Any], dict[str, Any]]],
) -> int:
    """One request acknowledging the orders of `group` (one program, one region)."""
    if not group:
        return 0
    head = group[0][0]
    program, region = head["program"], head["region"]
    channel = ACK_CHANNELS[program]
    keys = [order["purchase_order_number"] for order, _ in group]
    bodies = [body for _, body in group]
    try:
        if program == "RP":
            submission = amazon[region].submit_acknowledgements(bodies)
        else:
            submission = amazon[region].submit_df_acknowledgements(bodies)
    except AmazonError as exc:
        # Never taken by Amazon: sent again by the next run. An order refused with others stays
        # pending, so that it goes alone then.
        record_outcomes(
            conn,
            channel,
            [
                Outcome(order["purchase_order_number"], "failed", error=str(exc))
                for order, _ in group
                if not order["refused_with_others"]
            ],
        )
        report.failed += len(keys)
        report.transmission_errors.extend(
            _transmission(order, "Amazon acknowledgement", exc) for order, _ in group
        )
        return 0
    record_outcomes(
        conn,
        channel,
        [Outcome(key, "sent", submission.transaction_id, region=region) for key in keys],
    )
    checks[program].sent(channel, keys, region, submission.transaction_id)
    for order, _ in group:
        if program == "DF" and order["df_status_code"] != "00":
            _close_rejected_df_order(conn, netsuite, order, report)
    return len(keys)


def _close_rejected_df_order(
    conn: duckdb.DuckDBPyConnection,
    netsuite: NetSuiteClient,
    head: dict[str, Any],
    report: SubmissionReport,
) -> None:
    """A DF order rejected whole will never ship: close its sales order so stock is released."""
    # Fetched to the end: a result left open would block the ledger's next write on `conn`.
    rows = conn.execute(
        "select external_ref from ops.submissions where channel = ? and submission_key = ?"
        " and status = 'succeeded'",
        [SALES_ORDER_CHANNEL, head["sales_order_external_id"]],
    ).fetchall()
    if not rows:
        return
    ((sales_order_id,),) = rows
    try:
        lines = netsuite.get_sublist("salesOrder", sales_order_id, "item")
        netsuite.close_sales_order_lines(sales_order_id, [int(line["line"]) for line in lines])
    except NetSuiteError as exc:
        report.transmission_errors.append(
            _transmission(head, "NetSuite close rejected DF order", exc)
        )


def report_outcomes(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    report: SubmissionReport,
    budget_seconds: float,
) -> None:
    """Poll every acknowledgement still 'sent' (this run's and earlier runs') to a final state."""
    for channel, api in ((ACK_CHANNELS["RP"], "rp"), (ACK_CHANNELS["DF"], "df")):
        poll_transactions(conn, amazon, channel, api, report, budget_seconds)
