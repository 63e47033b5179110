"""What the simulated Amazon accepts: asynchronous validation of every submission.

A submission is accepted with 202 and a transaction id as soon as its body matches the model;
these rules then decide the transaction's outcome, as Amazon's back end would. All-or-nothing:
if any document of a request breaks a rule the transaction is `Failure` with one error per
problem (`code`, `message`, `details` naming the PO/line/carton) and nothing is applied;
otherwise `Success` and the effects are applied (PO states, shipped and invoiced quantities...).

Resubmitting a byte-identical body that already succeeded yields a new `Success` transaction
without applying anything twice (recorded with `duplicateOf`), so retries after a lost 202 are
safe; a *different* body that reuses an ASN shipment identifier or invoice number fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from vendor_pipelines.amazon.models import df_inventory as dfi
from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_pipelines.amazon.models import df_payments as dfp
from vendor_pipelines.amazon.models import df_shipping as dfs
from vendor_pipelines.amazon.models import invoices as inv
from vendor_pipelines.amazon.models import orders as rpo
from vendor_pipelines.amazon.models import shipments as rps
from vendor_pipelines.amazon.sscc import is_valid_sscc

from .generator import iso
from .state import (
    ASNS,
    DF_INVENTORY,
    DF_INVOICES,
    DF_LABELS,
    INVOICES,
    TRANSPORT,
    AmazonSandboxState,
    canonical_hash,
    eaches,
    now_utc,
    parse_time,
)

TOLERANCE = Decimal("0.01")
ErrorDict = dict[str, str]
Evaluation = tuple[list[ErrorDict], Callable[[], None]]


def err(code: str, message: str, details: str = "") -> ErrorDict:
    return {"code": code, "message": message, "details": details}


def submit(
    state: AmazonSandboxState,
    kind: str,
    api: str,
    raw: dict[str, Any],
    refs: list[tuple[str, dict[str, Any], list[str]]],
    evaluate: Callable[[], Evaluation],
    request_id: str | None,
    salt: str = "",
) -> dict[str, Any]:
    """Run one submission atomically; return the new transaction document."""
    body_hash = canonical_hash({"kind": kind, "salt": salt, "body": raw})
    with state.write():
        previous = state.find_submission(body_hash)
        if previous and previous["outcome"] == "Success":
            txn = state.new_transaction(api, kind, [], request_id=request_id)
            state.record_received(kind, txn["transactionId"], refs, previous["transactionId"])
            return txn
        errors, apply = evaluate()
        if not errors:
            apply()
        txn = state.new_transaction(api, kind, errors, request_id=request_id)
        state.record_received(kind, txn["transactionId"], refs)
        state.remember_submission(body_hash, txn)
        return txn


# --- Retail Procurement ---------------------------------------------------------------------


def _find_line(doc: dict[str, Any], seq: str | None, asin: str | None, vpi: str | None):
    items = doc["order"]["orderDetails"]["items"]
    if seq is not None:
        for item in items:
            if item["itemSequenceNumber"] == str(seq) or item["itemSequenceNumber"].lstrip(
                "0"
            ) == str(seq).lstrip("0"):
                if asin and item.get("amazonProductIdentifier") not in (None, asin):
                    return None
                return item
        if not asin and not vpi:
            return None
    for item in items:
        if asin and item.get("amazonProductIdentifier") == asin:
            return item
    for item in items:
        if vpi and item.get("vendorProductIdentifier") == vpi:
            return item
    return None


def confirmation_status(line: dict[str, Any]) -> str:
    if not line["acknowledged"]:
        return "UNCONFIRMED"
    taken = line["accepted"] + line["backordered"]
    if taken == 0:
        return "REJECTED"
    if taken >= line["ordered"]:
        return "ACCEPTED"
    return "PARTIALLY_ACCEPTED"


def _maybe_close(doc: dict[str, Any], when: str) -> None:
    lines = doc["lines"].values()
    if not all(line["acknowledged"] for line in lines):
        return
    if all(line["shipped"] >= line["accepted"] + line["backordered"] for line in lines):
        order = doc["order"]
        if order["purchaseOrderState"] != "Closed":
            order["purchaseOrderState"] = "Closed"
            order["orderDetails"]["purchaseOrderStateChangedDate"] = when
            doc["changedAt"] = when


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


def _container_eaches(items: list[rps.ContainerItem] | None) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for item in items or []:
        totals[item.itemReference] += item.shippedQuantity.eaches
    return totals


def _check_identifiers(
    idents: list[rps.ContainerIdentification] | None,
    where: str,
    errors: list[ErrorDict],
    seen: set[str],
    required: bool,
) -> None:
    ssccs = [
        i
        for i in idents or []
        if i.containerIdentificationType == rps.ContainerIdentificationType.SSCC
    ]
    if required and not ssccs:
        errors.append(
            err(
                "MISSING_SSCC",
                "Carton-level shipment confirmations need an SSCC for every carton.",
                where,
            )
        )
    for ident in ssccs:
        number = ident.containerIdentificationNumber
        if not is_valid_sscc(number):
            errors.append(
                err(
                    "INVALID_SSCC",
                    f"{number} is not a valid SSCC-18 (18 digits with a GS1 check digit).",
                    where,
                )
            )
        elif number[-18:] in seen:
            errors.append(err("DUPLICATE_SSCC", f"SSCC {number} is used twice.", where))
        seen.add(number[-18:])


def evaluate_rp_shipment_confirmations(
    state: AmazonSandboxState, request: rps.SubmitShipmentConfirmationsRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.rp_orders()
    confirmations = request.shipmentConfirmations or []
    if not confirmations:
        errors.append(err("InvalidInput", "shipmentConfirmations must not be empty"))
    # (po, seq) -> eaches, for this request; and the ASN records to write.
    deltas: dict[tuple[str, str], int] = defaultdict(int)
    records: list[dict[str, Any]] = []
    now = now_utc()
    for conf in confirmations:
        sid = conf.shipmentIdentifier
        vendor = conf.sellingParty.partyId
        key = f"{vendor}:{sid}"
        existing = state.store.get(ASNS, key)
        where_asn = f"shipment {sid}"
        replacing: dict[str, dict[str, int]] = {}
        if conf.shipmentConfirmationType == rps.ShipmentConfirmationType.Original:
            if existing is not None:
                errors.append(
                    err(
                        "DUPLICATE_SHIPMENT_ID",
                        f"shipmentIdentifier {sid} was already confirmed; "
                        "use Replace to change it.",
                        where_asn,
                    )
                )
                continue
        else:
            if existing is None:
                errors.append(
                    err(
                        "INVALID_REPLACE",
                        f"No original shipment confirmation {sid} to replace.",
                        where_asn,
                    )
                )
                continue
            confirmed = parse_time(existing["confirmedAt"])
            if confirmed is not None and now - confirmed > timedelta(days=7):
                errors.append(
                    err(
                        "INVALID_REPLACE",
                        "A shipment confirmation can only be replaced within 7 days.",
                        where_asn,
                    )
                )
            replacing = existing["quantities"]
        if conf.shippedDate is not None and conf.shippedDate > now + timedelta(minutes=5):
            errors.append(err("INVALID_SHIPPED_DATE", "shippedDate is in the future.", where_asn))
        # Where each shipped item's PO comes from: the item, or the carton/pallet lines.
        po_by_ref: dict[str, str] = {}
        for carton in conf.cartons or []:
            for ci in carton.items:
                if ci.itemDetails and ci.itemDetails.purchaseOrderNumber:
                    po_by_ref.setdefault(ci.itemReference, ci.itemDetails.purchaseOrderNumber)
        for pallet in conf.pallets or []:
            for ci in pallet.items or []:
                if ci.itemDetails and ci.itemDetails.purchaseOrderNumber:
                    po_by_ref.setdefault(ci.itemReference, ci.itemDetails.purchaseOrderNumber)
        quantities: dict[str, dict[str, int]] = defaultdict(dict)
        shipped_by_ref: dict[str, int] = {}
        for item in conf.shippedItems:
            ref = item.itemSequenceNumber
            where = f"{where_asn} item {ref}"
            po = (item.itemDetails.purchaseOrderNumber if item.itemDetails else None) or (
                po_by_ref.get(ref)
            )
            shipped_by_ref[ref] = item.shippedQuantity.eaches
            if not po:
                errors.append(
                    err(
                        "MISSING_PURCHASE_ORDER",
                        "No purchaseOrderNumber for the item (item, carton or pallet itemDetails).",
                        where,
                    )
                )
                continue
            doc = orders.get(po)
            if doc is None:
                errors.append(
                    err("INVALID_ORDER_ID", f"Purchase order {po} does not exist.", where)
                )
                continue
            if doc["vendor"] != vendor:
                errors.append(
                    err(
                        "INVALID_PARTY_ID",
                        f"sellingParty {vendor} does not match purchase order {po}.",
                        where,
                    )
                )
            ship_to = doc["order"]["orderDetails"].get("shipToParty", {}).get("partyId")
            if ship_to and conf.shipToParty.partyId != ship_to:
                errors.append(
                    err(
                        "INVALID_SHIP_TO_PARTY",
                        f"shipToParty {conf.shipToParty.partyId} does not match the fulfilment "
                        f"centre {ship_to} of purchase order {po}.",
                        where,
                    )
                )
            state_name = doc["order"]["purchaseOrderState"]
            if state_name == "New":
                errors.append(
                    err(
                        "ORDER_NOT_ACKNOWLEDGED",
                        f"Purchase order {po} must be acknowledged before it is shipped.",
                        where,
                    )
                )
            elif state_name == "Closed" and not replacing:
                errors.append(err("INVALID_ORDER_STATE", f"Purchase order {po} is closed.", where))
            line_item = _find_line(
                doc, None, item.amazonProductIdentifier, item.vendorProductIdentifier
            )
            if line_item is None:
                errors.append(
                    err(
                        "INVALID_ITEM",
                        f"Item {item.amazonProductIdentifier or item.vendorProductIdentifier} "
                        "is not "
                        f"on purchase order {po}.",
                        where,
                    )
                )
                continue
            seq = line_item["itemSequenceNumber"]
            qty = item.shippedQuantity.eaches
            if qty <= 0:
                errors.append(err("INVALID_QUANTITY", "Shipped quantity must be positive.", where))
            deltas[(po, seq)] += qty - replacing.get(po, {}).get(seq, 0)
            quantities[po][seq] = quantities[po].get(seq, 0) + qty
            if replacing and qty > replacing.get(po, {}).get(seq, 0):
                errors.append(
                    err(
                        "INVALID_REPLACE",
                        "A replacement may only lower shipped quantities.",
                        where,
                    )
                )
        # Containers: SSCCs and quantities that add up to the shipped items.
        seen_sscc: set[str] = set()
        packed: dict[str, int] = defaultdict(int)
        for carton in conf.cartons or []:
            where = f"{where_asn} carton {carton.cartonSequenceNumber}"
            _check_identifiers(carton.cartonIdentifiers, where, errors, seen_sscc, required=True)
            if conf.shipmentType == rps.ShipmentType.SmallParcel and not carton.trackingNumber:
                errors.append(
                    err(
                        "MISSING_TRACKING_NUMBER",
                        "Small parcel shipments need a trackingNumber for every carton.",
                        where,
                    )
                )
            for ref, qty in _container_eaches(carton.items).items():
                if ref not in shipped_by_ref:
                    errors.append(
                        err(
                            "INVALID_ITEM_REFERENCE",
                            f"itemReference {ref} is not a shippedItems itemSequenceNumber.",
                            where,
                        )
                    )
                packed[ref] += qty
        for index, pallet in enumerate(conf.pallets or [], 1):
            where = f"{where_asn} pallet {index}"
            _check_identifiers(pallet.palletIdentifiers, where, errors, seen_sscc, required=False)
            if not conf.cartons:
                for ref, qty in _container_eaches(pallet.items).items():
                    packed[ref] += qty
            for number in (
                pallet.cartonReferenceDetails.cartonReferenceNumbers
                if pallet.cartonReferenceDetails
                else []
            ):
                if number not in {c.cartonSequenceNumber for c in conf.cartons or []}:
                    errors.append(
                        err(
                            "INVALID_CARTON_REFERENCE",
                            f"cartonReferenceNumber {number} is not a carton of this shipment.",
                            where,
                        )
                    )
        if conf.cartons or conf.pallets:
            for ref, qty in shipped_by_ref.items():
                if packed.get(ref, 0) != qty:
                    errors.append(
                        err(
                            "CONTAINER_QUANTITY_MISMATCH",
                            f"Packed quantity {packed.get(ref, 0)} does not equal shipped quantity "
                            f"{qty}.",
                            f"{where_asn} item {ref}",
                        )
                    )
        records.append(
            {
                "key": key,
                "vendor": vendor,
                "shipmentIdentifier": sid,
                "confirmedAt": iso(now),
                "body": conf.to_amazon(),
                "quantities": {po: dict(v) for po, v in quantities.items()},
            }
        )
    # Cumulative quantity check across this request and earlier ASNs.
    for (po, seq), delta in deltas.items():
        doc = orders[po]
        line = doc["lines"][seq]
        if line["shipped"] + delta > line["ordered"]:
            errors.append(
                err(
                    "INVALID_QUANTITY",
                    f"Shipped quantity {line['shipped'] + delta} exceeds ordered quantity "
                    f"{line['ordered']}.",
                    f"{po} item {seq}",
                )
            )

    def apply() -> None:
        when = iso(now_utc())
        touched: dict[str, dict[str, Any]] = {}
        for (po, seq), delta in deltas.items():
            doc = orders[po]
            line = doc["lines"][seq]
            line["shipped"] += delta
            # The simulated FC receives what was confirmed.
            line["received"] = line["shipped"]
            line["lastReceiveDate"] = when
            doc["lastUpdated"] = when
            touched[po] = doc
        for doc in touched.values():
            _maybe_close(doc, when)
            state.save_rp(doc)
        for record in records:
            state.store.put(ASNS, record["key"], record)

    return errors, apply


def evaluate_rp_shipments(state: AmazonSandboxState, request: rps.SubmitShipments) -> Evaluation:
    errors: list[ErrorDict] = []
    shipments = request.shipments or []
    if not shipments:
        errors.append(err("InvalidInput", "shipments must not be empty"))
    for shipment in shipments:
        if shipment.transactionType is None:
            errors.append(
                err(
                    "InvalidInput", "transactionType is required", shipment.vendorShipmentIdentifier
                )
            )
        for po in shipment.purchaseOrders or []:
            if po.purchaseOrderNumber and po.purchaseOrderNumber not in state.rp_orders():
                errors.append(
                    err(
                        "INVALID_ORDER_ID",
                        f"Purchase order {po.purchaseOrderNumber} does not exist.",
                        shipment.vendorShipmentIdentifier,
                    )
                )

    def apply() -> None:
        when = iso(now_utc())
        for shipment in shipments:
            key = f"{shipment.sellingParty.partyId}:{shipment.vendorShipmentIdentifier}"
            body = shipment.to_amazon()
            status = "Created" if shipment.transactionType != rps.TransactionType.Cancel else None
            record = {"key": key, "createdAt": when, "body": body, "status": status}
            state.store.put(TRANSPORT, key, record)

    return errors, apply


def _sum_money(entries: list[Any] | None, attr: str) -> Decimal:
    total = Decimal(0)
    for entry in entries or []:
        money = getattr(entry, attr)
        if money is not None and money.amount is not None:
            total += money.amount
    return total


def evaluate_rp_invoices(
    state: AmazonSandboxState, request: inv.SubmitInvoicesRequest, raw: dict[str, Any]
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.rp_orders()
    invoice_list = request.invoices or []
    if not invoice_list:
        errors.append(err("InvalidInput", "invoices must not be empty"))
    adds: dict[tuple[str, str], int] = defaultdict(int)
    for invoice in invoice_list:
        where_inv = f"invoice {invoice.id}"
        existing = state.store.get(INVOICES, invoice.id)
        if existing is not None:
            errors.append(
                err(
                    "DUPLICATE_INVOICE",
                    f"Invoice number {invoice.id} was already submitted; invoice numbers cannot be "
                    "reused.",
                    where_inv,
                )
            )
        currency = invoice.invoiceTotal.currencyCode
        items_total = Decimal(0)
        item_tax = Decimal(0)
        item_charges = Decimal(0)
        item_allowances = Decimal(0)
        for item in invoice.items or []:
            where = f"{where_inv} item {item.itemSequenceNumber}"
            if item.netCost.currencyCode and currency and item.netCost.currencyCode != currency:
                errors.append(
                    err("INVALID_CURRENCY", "Item currency differs from the total.", where)
                )
            qty = item.invoicedQuantity.eaches
            items_total += (item.netCost.amount or Decimal(0)) * qty
            item_tax += _sum_money(item.taxDetails, "taxAmount")
            item_charges += _sum_money(item.chargeDetails, "chargeAmount")
            item_allowances += _sum_money(item.allowanceDetails, "allowanceAmount")
            if invoice.invoiceType == inv.InvoiceType.CreditNote:
                continue
            po = item.purchaseOrderNumber
            if not po:
                errors.append(
                    err(
                        "MISSING_PURCHASE_ORDER",
                        "purchaseOrderNumber is required on invoice items.",
                        where,
                    )
                )
                continue
            doc = orders.get(po)
            if doc is None:
                errors.append(
                    err("INVALID_ORDER_ID", f"Purchase order {po} does not exist.", where)
                )
                continue
            line_item = _find_line(
                doc, None, item.amazonProductIdentifier, item.vendorProductIdentifier
            )
            if line_item is None:
                errors.append(err("INVALID_ITEM", f"Item is not on purchase order {po}.", where))
                continue
            seq = line_item["itemSequenceNumber"]
            adds[(po, seq)] += qty
        header_tax = _sum_money(invoice.taxDetails, "taxAmount")
        charges = _sum_money(invoice.chargeDetails, "chargeAmount") + item_charges
        allowances = _sum_money(invoice.allowanceDetails, "allowanceAmount") + item_allowances
        line_taxes = any(i.taxDetails for i in invoice.items or [])
        if invoice.taxDetails and line_taxes and abs(header_tax - item_tax) > TOLERANCE:
            errors.append(
                err(
                    "TAX_MISMATCH",
                    f"Header tax {header_tax} does not equal the sum of line taxes {item_tax}.",
                    where_inv,
                )
            )
        tax = header_tax if invoice.taxDetails else item_tax
        expected = items_total + charges - allowances + tax
        total = invoice.invoiceTotal.amount or Decimal(0)
        if total == 0:
            errors.append(
                err("INVALID_INVOICE_TOTAL", "Zero-total invoices are not accepted.", where_inv)
            )
        elif abs(total - expected) > TOLERANCE:
            errors.append(
                err(
                    "INVALID_INVOICE_TOTAL",
                    "invoiceTotal does not equal items + charges - allowances + tax.",
                    f"{where_inv}: invoiceTotal {total} != {items_total} + {charges} "
                    f"- {allowances} "
                    f"+ {tax} = {expected}",
                )
            )
    for (po, seq), qty in adds.items():
        line = orders[po]["lines"][seq]
        if line["invoiced"] + qty > line["shipped"]:
            errors.append(
                err(
                    "INVALID_QUANTITY",
                    f"Invoiced quantity {line['invoiced'] + qty} exceeds shipped quantity "
                    f"{line['shipped']} (invoice only what was confirmed shipped).",
                    f"{po} item {seq}",
                )
            )

    def apply() -> None:
        when = iso(now_utc())
        for (po, seq), qty in adds.items():
            doc = orders[po]
            doc["lines"][seq]["invoiced"] += qty
            state.save_rp(doc)
        for invoice, body in zip(invoice_list, raw.get("invoices", []), strict=False):
            state.store.put(INVOICES, invoice.id, {"receivedAt": when, "body": body})

    return errors, apply


# --- Direct Fulfillment ---------------------------------------------------------------------


def _df_party_errors(doc: dict[str, Any], selling: str, ship_from: str, where: str):
    out = []
    if selling != doc["vendor"]:
        out.append(
            err("INVALID_PARTY_ID", f"sellingParty {selling} does not match the order.", where)
        )
    if ship_from != doc["shipFrom"]:
        out.append(
            err(
                "INVALID_PARTY_ID",
                f"shipFromParty {ship_from} does not match the order ({doc['shipFrom']}).",
                where,
            )
        )
    return out


def _df_line(doc: dict[str, Any], seq: Any, asin: str | None) -> dict[str, Any] | None:
    for item in doc["order"]["orderDetails"]["items"]:
        if seq is not None and str(item["itemSequenceNumber"]).lstrip("0") == str(seq).lstrip("0"):
            return item
    for item in doc["order"]["orderDetails"]["items"]:
        if asin and item.get("buyerProductIdentifier") == asin:
            return item
    return None


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


def make_label(doc: dict[str, Any], containers: list[dfs.Container] | None) -> dict[str, Any]:
    import base64
    import hashlib

    details = doc["order"]["orderDetails"]
    po = doc["order"]["purchaseOrderNumber"]
    ship_method = details["shipmentDetails"]["shipMethod"]
    count = max(1, len(containers or []))
    label_data = []
    for index in range(1, count + 1):
        digest = hashlib.sha256(f"{po}:{index}".encode()).hexdigest()
        tracking = f"1Z{int(digest[:15], 16) % 10**16:016d}"
        zpl = f"^XA^FO50,50^A0N,40,40^FD{ship_method} {po} {index}/{count}^FS^XZ"
        label_data.append(
            {
                "packageIdentifier": f"{index:03d}",
                "trackingNumber": tracking,
                "shipMethod": ship_method,
                "shipMethodName": ship_method.replace("_", " "),
                "content": base64.b64encode(zpl.encode()).decode(),
            }
        )
    return {
        "purchaseOrderNumber": po,
        "sellingParty": {"partyId": doc["vendor"]},
        "shipFromParty": {"partyId": doc["shipFrom"]},
        "labelFormat": "ZPL",
        "labelData": label_data,
    }


def evaluate_df_label_requests(
    state: AmazonSandboxState, request: dfs.SubmitShippingLabelsRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.df_orders()
    plans = []
    for label_request in request.shippingLabelRequests or []:
        po = label_request.purchaseOrderNumber
        doc = orders.get(po)
        if doc is None:
            errors.append(err("INVALID_ORDER_ID", f"Order {po} does not exist.", po))
            continue
        errors += _df_party_errors(
            doc, label_request.sellingParty.partyId, label_request.shipFromParty.partyId, po
        )
        if doc["order"]["orderDetails"]["orderStatus"] not in ("ACCEPTED", "SHIPPED"):
            errors.append(
                err(
                    "ORDER_NOT_ACKNOWLEDGED",
                    f"Order {po} must be acknowledged before labels are requested.",
                    po,
                )
            )
        plans.append((doc, label_request.containers))
    if not request.shippingLabelRequests:
        errors.append(err("InvalidInput", "shippingLabelRequests must not be empty"))

    def apply() -> None:
        for doc, containers in plans:
            store_label(state, doc, make_label(doc, containers))

    return errors, apply


def store_label(state: AmazonSandboxState, doc: dict[str, Any], label: dict[str, Any]) -> None:
    when = iso(now_utc())
    po = doc["order"]["purchaseOrderNumber"]
    state.store.put(DF_LABELS, po, {"createdAt": when, "label": label, "shipFrom": doc["shipFrom"]})
    doc["labelCreatedAt"] = when
    state.save_df(doc)


def evaluate_df_inventory(
    state: AmazonSandboxState, warehouse_id: str, request: dfi.SubmitInventoryUpdateRequest
) -> Evaluation:
    errors: list[ErrorDict] = []
    world = state.world
    inventory = request.inventory
    if inventory is None:
        return [err("InvalidInput", "inventory is required")], lambda: None
    if warehouse_id not in {w.party_id for w in world.warehouses}:
        errors.append(
            err("INVALID_WAREHOUSE", f"Warehouse {warehouse_id} is not registered.", warehouse_id)
        )
    if inventory.sellingParty.partyId not in {v.vendor_code for v in world.vendors}:
        errors.append(
            err(
                "INVALID_PARTY_ID",
                f"sellingParty {inventory.sellingParty.partyId} is unknown.",
                warehouse_id,
            )
        )
    known_asins = {i.asin for i in world.items}
    known_vpis = {i.sku for i in world.items} | {i.upc for i in world.items}
    snapshot: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(inventory.items):
        ident = item.buyerProductIdentifier or item.vendorProductIdentifier or ""
        where = f"{warehouse_id} item {index + 1} ({ident})"
        known = (item.buyerProductIdentifier in known_asins) or (
            item.vendorProductIdentifier in known_vpis
        )
        if not known:
            errors.append(
                err("INVALID_ITEM", f"Product {ident} is not set up for Direct Fulfillment.", where)
            )
        amount = item.availableQuantity.amount or 0
        if amount < 0:
            errors.append(err("INVALID_QUANTITY", "availableQuantity must not be negative.", where))
        snapshot[ident] = {"available": amount, "isObsolete": bool(item.isObsolete)}

    def apply() -> None:
        current = state.store.get(DF_INVENTORY, warehouse_id) or {"items": {}}
        items = {} if inventory.isFullUpdate else dict(current["items"])
        items.update(snapshot)
        state.store.put(
            DF_INVENTORY,
            warehouse_id,
            {
                "updatedAt": iso(now_utc()),
                "sellingParty": inventory.sellingParty.partyId,
                "items": items,
            },
        )

    return errors, apply


def evaluate_df_invoices(
    state: AmazonSandboxState, request: dfp.SubmitInvoiceRequest, raw: dict[str, Any]
) -> Evaluation:
    errors: list[ErrorDict] = []
    orders = state.df_orders()
    invoice_list = request.invoices or []
    if not invoice_list:
        errors.append(err("InvalidInput", "invoices must not be empty"))
    adds: dict[tuple[str, str], int] = defaultdict(int)
    for invoice in invoice_list:
        where_inv = f"invoice {invoice.invoiceNumber}"
        if state.store.get(DF_INVOICES, invoice.invoiceNumber) is not None:
            errors.append(
                err(
                    "DUPLICATE_INVOICE",
                    f"Invoice number {invoice.invoiceNumber} was already submitted.",
                    where_inv,
                )
            )
        items_total = Decimal(0)
        item_tax = Decimal(0)
        charges = sum((c.chargeAmount.amount for c in invoice.chargeDetails or []), Decimal(0))
        for item in invoice.items:
            where = f"{where_inv} item {item.itemSequenceNumber}"
            qty = item.invoicedQuantity.amount
            items_total += item.netCost.amount * qty
            item_tax += sum((t.taxAmount.amount for t in item.taxDetails or []), Decimal(0))
            charges += sum((c.chargeAmount.amount for c in item.chargeDetails or []), Decimal(0))
            po = item.purchaseOrderNumber
            doc = orders.get(po)
            if doc is None:
                errors.append(err("INVALID_ORDER_ID", f"Order {po} does not exist.", where))
                continue
            if doc["order"]["orderDetails"]["orderStatus"] != "SHIPPED":
                errors.append(
                    err(
                        "INVALID_ORDER_STATE",
                        f"Order {po} must be confirmed shipped before it is invoiced.",
                        where,
                    )
                )
            line = _df_line(doc, None, item.buyerProductIdentifier) or _df_line(
                doc, item.itemSequenceNumber, None
            )
            if line is None:
                errors.append(err("INVALID_ITEM", f"Item is not on order {po}.", where))
                continue
            seq = str(line["itemSequenceNumber"])
            adds[(po, seq)] += qty
        header_tax = sum((t.taxAmount.amount for t in invoice.taxTotals or []), Decimal(0))
        tax = header_tax if invoice.taxTotals else item_tax
        expected = items_total + charges + tax
        total = invoice.invoiceTotal.amount
        if total <= 0:
            errors.append(
                err("INVALID_INVOICE_TOTAL", "Invoice total must be positive.", where_inv)
            )
        elif abs(total - expected) > TOLERANCE:
            errors.append(
                err(
                    "INVALID_INVOICE_TOTAL",
                    "invoiceTotal does not equal items + charges + tax.",
                    f"{where_inv}: invoiceTotal {total} != {items_total} + {charges} + {tax} = "
                    f"{expected}",
                )
            )
    for (po, seq), qty in adds.items():
        doc = orders[po]
        ordered = next(
            i["orderedQuantity"]["amount"]
            for i in doc["order"]["orderDetails"]["items"]
            if str(i["itemSequenceNumber"]) == seq
        )
        if doc["invoiced"].get(seq, 0) + qty > ordered:
            errors.append(
                err(
                    "INVALID_QUANTITY",
                    f"Invoiced quantity exceeds ordered quantity {ordered}.",
                    f"{po} item {seq}",
                )
            )

    def apply() -> None:
        when = iso(now_utc())
        for (po, seq), qty in adds.items():
            doc = orders[po]
            doc["invoiced"][seq] = doc["invoiced"].get(seq, 0) + qty
            state.save_df(doc)
        for invoice, body in zip(invoice_list, raw.get("invoices", []), strict=False):
            state.store.put(DF_INVOICES, invoice.invoiceNumber, {"receivedAt": when, "body": body})

    return errors, apply
