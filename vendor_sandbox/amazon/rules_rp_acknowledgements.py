"""Retail Procurement acknowledgements: which lines are accepted, backordered or rejected."""

from __future__ import annotations

from typing import Any

from vendor_pipelines.amazon.models import orders as rpo

from .generator import iso
from .rules_base import ErrorDict, Evaluation, _find_line, _maybe_close, err
from .state import AmazonSandboxState, eaches, now_utc


def evaluate_rp_acknowledgements(
    state: AmazonSandboxState, request: rpo.SubmitAcknowledgementRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    plans: list[tuple[dict[str, Any], dict[str, tuple[int, int, str]]]] = []
    orders = state.rp_orders()
    if not request.acknowledgements:
        errors.append(err("InvalidInput", "acknowledgements must not be empty"))
    for ack in request.acknowledgements or []:
        po = ack.purchaseOrderNumber
        doc = orders.get(po)
        if doc is None:
            errors.append(err("INVALID_ORDER_ID", f"Purchase order {po} does not exist.", po))
            continue
        if ack.sellingParty.partyId != doc["vendor"]:
            errors.append(
                err(
                    "INVALID_PARTY_ID",
                    f"sellingParty {ack.sellingParty.partyId} does not match purchase order {po}.",
                    f"expected {doc['vendor']}",
                )
            )
        if doc["order"]["purchaseOrderState"] == "Closed":
            errors.append(err("INVALID_ORDER_STATE", f"Purchase order {po} is closed.", po))
        plan: dict[str, tuple[int, int, str]] = {}
        for index, item in enumerate(ack.items):
            line_item = _find_line(
                doc,
                item.itemSequenceNumber,
                item.amazonProductIdentifier,
                item.vendorProductIdentifier,
            )
            where = f"{po} item {item.itemSequenceNumber or index + 1}"
            if line_item is None:
                errors.append(
                    err(
                        "INVALID_ITEM",
                        "Item is not on the purchase order (product identifier must match the PO).",
                        where,
                    )
                )
                continue
            seq = line_item["itemSequenceNumber"]
            line = doc["lines"][seq]
            accepted = backordered = rejected = 0
            for ia in item.itemAcknowledgements:
                qty = eaches(ia.acknowledgedQuantity.model_dump(mode="json"))
                if qty < 0:
                    errors.append(err("INVALID_QUANTITY", "Negative quantity.", where))
                code = ia.acknowledgementCode.value
                if code == "Accepted":
                    accepted += qty
                elif code == "Backordered":
                    backordered += qty
                    if not line_item.get("isBackOrderAllowed"):
                        errors.append(
                            err(
                                "BACKORDER_NOT_ALLOWED",
                                "Backorder is not allowed for this item "
                                "(isBackOrderAllowed=false).",
                                where,
                            )
                        )
                else:
                    rejected += qty
            if accepted + backordered > line["ordered"]:
                errors.append(
                    err(
                        "INVALID_QUANTITY",
                        f"Acknowledged quantity {accepted + backordered} exceeds ordered quantity "
                        f"{line['ordered']}.",
                        where,
                    )
                )
            if line["rejectedFinal"] and accepted + backordered > 0:
                errors.append(
                    err(
                        "INVALID_ACKNOWLEDGEMENT",
                        "A line that was rejected cannot later be accepted or backordered.",
                        where,
                    )
                )
            plan[seq] = (accepted, backordered, where)
        plans.append((doc, plan))

    def apply() -> None:
        when = iso(now_utc())
        for doc, plan in plans:
            for seq, line in doc["lines"].items():
                if seq in plan:
                    accepted, backordered, _ = plan[seq]
                elif line["acknowledged"]:
                    continue
                else:
                    accepted = backordered = 0  # lines left out are implicitly rejected
                line.update(
                    accepted=accepted,
                    backordered=backordered,
                    rejected=max(0, line["ordered"] - accepted - backordered),
                    acknowledged=True,
                )
                line["rejectedFinal"] = line["ordered"] > 0 and accepted + backordered == 0
                line["ackHistory"].append(
                    {"date": when, "accepted": accepted + backordered, "rejected": line["rejected"]}
                )
            order = doc["order"]
            if order["purchaseOrderState"] == "New":
                order["purchaseOrderState"] = "Acknowledged"
                order["orderDetails"]["purchaseOrderStateChangedDate"] = when
            doc["changedAt"] = when
            doc["lastUpdated"] = when
            _maybe_close(doc, when)
            state.save_rp(doc)

    return errors, apply
