"""Direct Fulfillment order flow: acknowledgements, shipment confirmations, status updates."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_pipelines.amazon.models import df_shipping as dfs

from .generator import iso
from .rules_base import ErrorDict, Evaluation, _df_line, _df_party_errors, err
from .state import AmazonSandboxState, now_utc


def evaluate_df_acknowledgements(
    state: AmazonSandboxState, request: dfo.SubmitAcknowledgementRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.df_orders()
    plans: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
    acks = request.orderAcknowledgements or []
    if not acks:
        errors.append(err("InvalidInput", "orderAcknowledgements must not be empty"))
    for ack in acks:
        po = ack.purchaseOrderNumber
        doc = orders.get(po)
        if doc is None:
            errors.append(err("INVALID_ORDER_ID", f"Order {po} does not exist.", po))
            continue
        errors += _df_party_errors(doc, ack.sellingParty.partyId, ack.shipFromParty.partyId, po)
        status = doc["order"]["orderDetails"]["orderStatus"]
        if status in ("CANCELLED", "SHIPPED"):
            errors.append(err("INVALID_ORDER_STATE", f"Order {po} is {status}.", po))
        code = (ack.acknowledgementStatus.code or "").strip()
        if not code:
            errors.append(err("InvalidInput", "acknowledgementStatus.code is required.", po))
        ordered = {
            str(i["itemSequenceNumber"]): i["orderedQuantity"]["amount"]
            for i in doc["order"]["orderDetails"]["items"]
        }
        acked: dict[str, int] = {}
        for item in ack.itemAcknowledgements:
            line = _df_line(doc, item.itemSequenceNumber, item.buyerProductIdentifier)
            if line is None:
                errors.append(
                    err("INVALID_ITEM", f"Item {item.itemSequenceNumber} is not on order {po}.", po)
                )
                continue
            acked[str(line["itemSequenceNumber"])] = item.acknowledgedQuantity.amount or 0
        if code == "00":
            for seq, qty in ordered.items():
                if acked.get(seq, 0) != qty:
                    errors.append(
                        err(
                            "PARTIAL_ACKNOWLEDGEMENT",
                            "Direct Fulfillment orders are accepted whole: every line with its "
                            "full "
                            "quantity (or reject the order with a non-00 status code).",
                            f"{po} item {seq}: acknowledged {acked.get(seq, 0)} of {qty}",
                        )
                    )
        plans.append((doc, code, ack.to_amazon()))

    def apply() -> None:
        when = iso(now_utc())
        for doc, code, body in plans:
            doc["order"]["orderDetails"]["orderStatus"] = (
                "ACCEPTED" if code == "00" else ("CANCELLED")
            )
            doc["acknowledgement"] = {"at": when, "code": code, "body": body}
            state.save_df(doc)

    return errors, apply


def evaluate_df_shipment_confirmations(
    state: AmazonSandboxState, request: dfs.SubmitShipmentConfirmationsRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.df_orders()
    plans: list[tuple[dict[str, Any], dict[str, Any], bool]] = []
    confs = request.shipmentConfirmations or []
    if not confs:
        errors.append(err("InvalidInput", "shipmentConfirmations must not be empty"))
    for conf in confs:
        po = conf.purchaseOrderNumber
        doc = orders.get(po)
        if doc is None:
            errors.append(err("INVALID_ORDER_ID", f"Order {po} does not exist.", po))
            continue
        errors += _df_party_errors(doc, conf.sellingParty.partyId, conf.shipFromParty.partyId, po)
        status = doc["order"]["orderDetails"]["orderStatus"]
        floor_denial = conf.shipmentDetails.shipmentStatus == dfs.ShipmentStatus.FLOOR_DENIAL
        if status == "NEW":
            errors.append(
                err(
                    "ORDER_NOT_ACKNOWLEDGED",
                    f"Order {po} must be acknowledged before it is confirmed.",
                    po,
                )
            )
        elif status in ("CANCELLED", "SHIPPED"):
            errors.append(err("INVALID_ORDER_STATE", f"Order {po} is {status}.", po))
        if not floor_denial:
            shipped: dict[str, int] = {}
            for item in conf.items:
                line = _df_line(doc, item.itemSequenceNumber, item.buyerProductIdentifier)
                if line is None:
                    errors.append(
                        err(
                            "INVALID_ITEM",
                            f"Item {item.itemSequenceNumber} is not on order {po}.",
                            po,
                        )
                    )
                    continue
                seq = str(line["itemSequenceNumber"])
                shipped[seq] = shipped.get(seq, 0) + item.shippedQuantity.amount
            for line in doc["order"]["orderDetails"]["items"]:
                seq = str(line["itemSequenceNumber"])
                want = line["orderedQuantity"]["amount"]
                got = shipped.get(seq, 0)
                if got > want:
                    errors.append(
                        err(
                            "INVALID_QUANTITY",
                            f"Shipped quantity {got} exceeds ordered quantity {want}.",
                            f"{po} item {seq}",
                        )
                    )
                elif got < want:
                    errors.append(
                        err(
                            "PARTIAL_SHIPMENT_NOT_ALLOWED",
                            "Direct Fulfillment orders ship complete: confirm every line with its "
                            "full quantity.",
                            f"{po} item {seq}: shipped {got} of {want}",
                        )
                    )
            if not conf.containers:
                errors.append(
                    err(
                        "EMPTY_PACKAGES",
                        "The shipment confirmation has no packages (containers).",
                        po,
                    )
                )
            packed: dict[int, int] = defaultdict(int)
            for container in conf.containers or []:
                if not container.packedItems:
                    errors.append(
                        err(
                            "EMPTY_PACKAGES",
                            f"Package {container.containerIdentifier} has no items.",
                            po,
                        )
                    )
                for packed_item in container.packedItems:
                    packed[int(packed_item.itemSequenceNumber)] += packed_item.packedQuantity.amount
            for item in conf.items:
                if conf.containers and packed.get(item.itemSequenceNumber, 0) != (
                    item.shippedQuantity.amount
                ):
                    errors.append(
                        err(
                            "PACKAGE_QUANTITY_MISMATCH",
                            "Packed quantities do not add up to the shipped quantity.",
                            f"{po} item {item.itemSequenceNumber}",
                        )
                    )
        plans.append((doc, conf.to_amazon(), floor_denial))

    def apply() -> None:
        when = iso(now_utc())
        for doc, body, floor_denial in plans:
            doc["order"]["orderDetails"]["orderStatus"] = (
                "CANCELLED" if floor_denial else ("SHIPPED")
            )
            doc["shipment"] = {"at": when, "body": body}
            state.save_df(doc)

    return errors, apply


def evaluate_df_status_updates(
    state: AmazonSandboxState, request: dfs.SubmitShipmentStatusUpdatesRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.df_orders()
    plans = []
    updates = request.shipmentStatusUpdates or []
    if not updates:
        errors.append(err("InvalidInput", "shipmentStatusUpdates must not be empty"))
    for update in updates:
        po = update.purchaseOrderNumber
        doc = orders.get(po)
        if doc is None:
            errors.append(err("INVALID_ORDER_ID", f"Order {po} does not exist.", po))
            continue
        errors += _df_party_errors(
            doc, update.sellingParty.partyId, update.shipFromParty.partyId, po
        )
        if doc["order"]["orderDetails"]["orderStatus"] != "SHIPPED":
            errors.append(
                err("INVALID_ORDER_STATE", f"Order {po} has not been confirmed shipped.", po)
            )
        plans.append((doc, update.to_amazon()))

    def apply() -> None:
        for doc, body in plans:
            doc["statusUpdates"].append(body)
            state.save_df(doc)

    return errors, apply
