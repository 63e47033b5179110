"""Statuses asked while the documents still go (`StatusChecks`), over HTTP against the sandbox.

Each submission's transaction is asked once, some submissions after it was sent, and the poll
that ends the run finds only what is left: every outcome is recorded once, whether Amazon had
decided by then (no delay), had not (a delay), or refused the document.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.amazon.models import orders as rpo
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.fulfilment.submit import Document, send_and_poll, send_documents
from vendor_pipelines.submissions.amazon_transactions import SubmissionReport, poll_transactions
from vendor_pipelines.submissions.ledger import Outcome, record_outcomes, record_pending
from vendor_sandbox.amazon import builders

CHANNEL = "amazon.rp.acknowledgement"
LAG = 4


def _acknowledgements(client, sandbox, count: int) -> list[Document]:
    documents = []
    for po in sorted(sandbox.state.rp_orders()):
        order = client.get_purchase_order(po)
        if all((i.orderedQuantity.amount or 0) > 0 for i in order.orderDetails.items):
            body = builders.acknowledge_all(order).model_dump(mode="json", exclude_none=True)
            documents.append(Document(po, body, purchase_order_number=po))
        if len(documents) == count:
            return documents
    raise AssertionError(f"fewer than {count} orders to acknowledge")


def _overacknowledged(client, doc: Document) -> Document:
    """`doc` acknowledging more than ordered: Amazon refuses it (INVALID_QUANTITY)."""
    ack = builders.acknowledge_all(client.get_purchase_order(doc.key))
    ack.items[0].itemAcknowledgements[0].acknowledgedQuantity.amount += 5
    return Document(doc.key, ack.model_dump(mode="json", exclude_none=True), None, doc.key)


def _status_requests(client) -> Counter[str]:
    """Transaction ids whose status the client asked, counted, as the requests go."""
    asked: Counter[str] = Counter()

    def hook(response) -> None:
        path = response.request.url.path
        if "/vendor/transactions/v1/transactions/" in path:
            asked[path.rsplit("/", 1)[-1]] += 1

    client._http.event_hooks["response"].append(hook)
    return asked


def _send_and_poll(client, documents: list[Document], lag: int) -> tuple[dict, SubmissionReport]:
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    amazon = AmazonRegions.single(client)
    report = SubmissionReport()

    def send(vendor, bodies):
        return vendor.submit_acknowledgements(
            [rpo.OrderAcknowledgement.model_validate(body) for body in bodies]
        )

    send_documents(conn, CHANNEL, documents, amazon, send, report, api="rp", lag=lag)
    poll_transactions(conn, amazon, CHANNEL, "rp", report, budget_seconds=20)
    rows = conn.execute(
        "select submission_key, status, external_ref, last_error from ops.submissions"
        " where channel = ?",
        [CHANNEL],
    ).fetchall()
    return {key: (status, ref, error) for key, status, ref, error in rows}, report


def test_each_status_is_asked_once_while_sending(sandbox, client) -> None:
    documents = _acknowledgements(client, sandbox, 10)
    asked = _status_requests(client)
    ledger, report = _send_and_poll(client, documents, LAG)
    assert {key: status for key, (status, _, _) in ledger.items()} == {
        d.key: "succeeded" for d in documents
    }
    # One status request per transaction: all but the last LAG answered while sending, those
    # by the poll, none asked twice.
    assert asked == Counter({ref: 1 for _, ref, _ in ledger.values()})
    assert (report.sent, report.succeeded, report.failed) == (10, 10, 0)


def test_a_transaction_still_processing_is_left_to_the_poll(make_sandbox, make_client) -> None:
    sandbox = make_sandbox(resolution_delay=1.5)
    client = make_client(sandbox)
    documents = _acknowledgements(client, sandbox, 6)
    asked = _status_requests(client)
    ledger, report = _send_and_poll(client, documents, 1)
    assert {status for status, _, _ in ledger.values()} == {"succeeded"}
    assert report.succeeded == 6
    # All but the last asked while sending (still Processing, nothing recorded), then polled
    # to its end.
    early = [ledger[d.key][1] for d in documents[:-1]]
    assert all(asked[ref] >= 2 for ref in early), asked


@pytest.mark.parametrize("lag", [0, LAG])
def test_a_refusal_seen_while_sending_is_recorded_once_with_its_errors(
    sandbox, client, lag
) -> None:
    documents = _acknowledgements(client, sandbox, 3)
    refused = documents[0].key
    documents[0] = _overacknowledged(client, documents[0])
    ledger, report = _send_and_poll(client, documents, lag)
    status, _, error = ledger[refused]
    assert status == "failed" and "INVALID_QUANTITY" in error
    assert {ledger[d.key][0] for d in documents[1:]} == {"succeeded"}
    assert (report.succeeded, report.failed) == (2, 1)


def _send_as_one(client, documents: list[Document]) -> tuple[duckdb.DuckDBPyConnection, str]:
    """The documents acknowledged in one request, recorded as the acknowledgements flow does."""
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    record_pending(conn, CHANNEL, [(d.key, d.payload_hash) for d in documents])
    submission = client.submit_acknowledgements(
        [rpo.OrderAcknowledgement.model_validate(d.body) for d in documents]
    )
    outcomes = [Outcome(d.key, "sent", submission.transaction_id) for d in documents]
    record_outcomes(conn, CHANNEL, outcomes)
    return conn, submission.transaction_id


def _ledger(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = conn.execute(
        "select submission_key, status, external_ref, last_error from ops.submissions"
        " where channel = ?",
        [CHANNEL],
    ).fetchall()
    return {key: (status, ref, error) for key, status, ref, error in rows}


def test_a_transaction_of_several_documents_is_asked_once_for_all(sandbox, client) -> None:
    documents = _acknowledgements(client, sandbox, 5)
    conn, transaction_id = _send_as_one(client, documents)
    asked = _status_requests(client)
    report = SubmissionReport()
    poll_transactions(conn, AmazonRegions.single(client), CHANNEL, "rp", report, 20)
    assert {key: row[:2] for key, row in _ledger(conn).items()} == {
        d.key: ("succeeded", transaction_id) for d in documents
    }
    assert asked == Counter({transaction_id: 1})
    assert (report.succeeded, report.failed) == (5, 0)


def test_a_request_refused_whole_sends_each_of_its_documents_back_to_go_alone(
    sandbox, client
) -> None:
    documents = _acknowledgements(client, sandbox, 3)
    documents[1] = _overacknowledged(client, documents[1])
    conn, transaction_id = _send_as_one(client, documents)
    report = SubmissionReport()
    poll_transactions(conn, AmazonRegions.single(client), CHANNEL, "rp", report, 20)
    # Nothing says which is wrong: none is failed, each is pending again under the refused
    # transaction (what marks it to go alone), with Amazon's errors kept.
    ledger = _ledger(conn)
    assert {key: row[:2] for key, row in ledger.items()} == {
        d.key: ("pending", transaction_id) for d in documents
    }
    assert all(
        "refused with 2 other(s)" in error and "INVALID_QUANTITY" in error
        for _, _, error in ledger.values()
    )
    assert (report.succeeded, report.failed) == (0, 0)


def test_documents_go_many_to_a_request_and_a_refused_one_is_told_apart_alone(
    sandbox, client
) -> None:
    documents = _acknowledgements(client, sandbox, 5)
    documents[2] = _overacknowledged(client, documents[2])
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    report = SubmissionReport()
    requests: list[int] = []

    def send(vendor, bodies):
        requests.append(len(bodies))
        return vendor.submit_acknowledgements(
            [rpo.OrderAcknowledgement.model_validate(body) for body in bodies]
        )

    amazon = AmazonRegions.single(client)
    send_and_poll(conn, CHANNEL, documents, amazon, send, report, "rp", 20, per_request=3)
    # Three and two to a request; the three refused together went again one by one.
    assert requests == [3, 2, 1, 1, 1]
    ledger = _ledger(conn)
    assert {key: status for key, (status, _, _) in ledger.items()} == {
        d.key: "failed" if d is documents[2] else "succeeded" for d in documents
    }
    assert "INVALID_QUANTITY" in ledger[documents[2].key][2]
    assert "refused with" not in ledger[documents[2].key][2]
    assert (report.succeeded, report.failed) == (4, 1)
