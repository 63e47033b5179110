"""Acknowledgements go many to a request, and a refused request is answered order by order.

Over real HTTP against the embedded sandbox: the order sync runs up to its sales orders, one
purchase order is closed at Amazon behind the pipeline's back (so that its answer is refused:
INVALID_ORDER_STATE), then the acknowledgements run. Expected figures come from what the
simulated Amazon received, not from the pipeline's own counts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest
from sandbox_flow import ORDER_UPSTREAM

from vendor_pipelines.orders.sync import ACKNOWLEDGEMENTS_PER_REQUEST

ACKNOWLEDGEMENTS = ["orders", "acknowledgements"]


@pytest.fixture(scope="module")
def flow(own_order_flow):
    return own_order_flow


@pytest.fixture(scope="module")
def closed_po(flow) -> str:
    assert flow.run(*ORDER_UPSTREAM, ["orders", "sales_orders"]).success
    new = sorted(
        po for po, doc in flow.amazon.rp_orders().items()
        if doc["order"]["purchaseOrderState"] == "New"
    )  # fmt: skip
    assert len(new) > 2
    po = new[len(new) // 2]
    with flow.amazon.write() as state:
        doc = state.rp_orders()[po]
        doc["order"]["purchaseOrderState"] = "Closed"
        state.save_rp(doc)
    assert flow.run(ACKNOWLEDGEMENTS).success
    return po


def test_acknowledgements_go_many_to_a_request(flow, closed_po) -> None:
    # The first requests, as Amazon received them: as few as the limit of orders a request
    # allows.
    first = {}
    for entry in flow.amazon.received("rp_acknowledgements"):
        first.setdefault(entry["ref"], entry["transactionId"])
    per_request = Counter(first.values())
    assert max(per_request.values()) == min(len(first), ACKNOWLEDGEMENTS_PER_REQUEST) > 1
    assert len(per_request) == math.ceil(len(first) / ACKNOWLEDGEMENTS_PER_REQUEST)


def test_a_refused_request_is_answered_order_by_order(flow, closed_po) -> None:
    received = defaultdict(list)
    for entry in flow.amazon.received("rp_acknowledgements"):
        received[entry["ref"]].append(entry)
    refused_request = received[closed_po][0]["transactionId"]
    batch = {
        po for po, entries in received.items() if entries[0]["transactionId"] == refused_request
    }
    assert closed_po in batch and len(batch) > 1
    # Each order of the refused request went again alone, with the body it went with first.
    for po in batch:
        first, again = received[po]
        assert again["transactionId"] != refused_request
        assert again["body"] == first["body"]
        assert sum(e["transactionId"] == again["transactionId"] for e in received[po]) == 1
    alone = Counter(received[po][1]["transactionId"] for po in batch)
    assert set(alone.values()) == {1}
    # The good ones were taken; the closed one was refused for itself, an exception for ops.
    ledger = dict(
        flow.query(
            "select submission_key, status from ops.submissions"
            " where channel = 'amazon.rp.acknowledgement'"
        )
    )
    assert {po: ledger[po] for po in batch} == {
        po: "failed" if po == closed_po else "succeeded" for po in batch
    }
    assert set(ledger.values()) == {"succeeded", "failed"}
    (error,) = flow.query(
        "select last_error from ops.submissions"
        " where channel = 'amazon.rp.acknowledgement' and submission_key = ?",
        [closed_po],
    )[0]
    assert "INVALID_ORDER_STATE" in error and "refused with" not in error
    orders = flow.amazon.rp_orders()
    assert all(orders[po]["order"]["purchaseOrderState"] == "Acknowledged"
               for po in batch - {closed_po})  # fmt: skip
