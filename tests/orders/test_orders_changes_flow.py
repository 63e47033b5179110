"""Amazon changes and cancels open purchase orders: each sales order follows, exactly once.

Over real HTTP against the embedded sandbox: the order sync runs, then Amazon lowers a
quantity on one PO, cancels a line of another and cancels a third whole (the sandbox's live
mode, `change_purchase_order`), and the order sync runs twice more.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from vendor_sandbox.live import change_purchase_order


def _sales_order(flow, po: str) -> dict:
    (order,) = [so for so in flow.netsuite_records("salesOrder") if so["otherRefNum"] == po]
    return order


def _lines(order: dict) -> dict[str, dict]:
    return {str(line["custcol_amazon_item_sequence"]): line for line in order["item"]["items"]}


def test_changed_and_cancelled_orders_are_followed_once(order_flow) -> None:
    assert order_flow.run().success
    synced = {so["otherRefNum"] for so in order_flow.netsuite_records("salesOrder")}
    amazon = order_flow.amazon
    candidates = sorted(
        po
        for po, doc in amazon.rp_orders().items()
        if po in synced
        and sum(1 for i in doc["order"]["orderDetails"]["items"] if i["orderedQuantity"]["amount"])
        > 1
        and all(
            str(i["itemSequenceNumber"]) in _lines(_sales_order(order_flow, po))
            for i in doc["order"]["orderDetails"]["items"]
            if i["orderedQuantity"]["amount"]
        )
    )
    assert len(candidates) >= 3, candidates
    rng = random.Random(5)
    changes = {}
    with amazon.write():
        for po, kind in zip(
            candidates, ("quantity_down", "line_cancelled", "po_cancelled"), strict=False
        ):
            doc = amazon.rp_orders()[po]
            changes[po] = (kind, change_purchase_order(doc, kind, datetime.now(UTC), rng))
            amazon.save_rp(doc)
    assert order_flow.run().success
    for po, (kind, lines) in changes.items():
        order_lines = _lines(_sales_order(order_flow, po))
        for seq, change in lines.items():
            assert seq in order_lines, (po, kind, seq, change, sorted(order_lines))
            line = order_lines[seq]
            if change["to"] == 0:
                assert line.get("isClosed"), (po, kind, seq)
            else:
                assert float(line["quantity"]) == change["to_eaches"], (po, kind, seq)
                assert not line.get("isClosed")
        if kind == "po_cancelled":
            assert all(line.get("isClosed") for line in order_lines.values())
    # Once: a further sync sends nothing about them, and each PO still has one sales order.
    before = {po: _sales_order(order_flow, po)["lastModifiedDate"] for po in changes}
    assert order_flow.run().success
    assert {po: _sales_order(order_flow, po)["lastModifiedDate"] for po in changes} == before
    attempts = dict(
        order_flow.query(
            """select submission_key, attempts from ops.submissions
               where channel = 'netsuite.salesOrder.cancellation'"""
        )
    )
    assert set(attempts.values()) == {1}
    assert len(attempts) == 2  # the line cancelled and the PO cancelled
