"""Retail Procurement shipment confirmations (ASNs): cartons, SSCCs, quantities per PO line."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from vendor_pipelines.amazon.models import shipments as rps
from vendor_pipelines.amazon.sscc import is_valid_sscc

from .generator import iso
from .rules_base import ErrorDict, Evaluation, _find_line, _maybe_close, err, rp_order_of
from .state import ASNS, AmazonSandboxState, now_utc, parse_time


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
            doc = rp_order_of(
                orders,
                po,
                errors,
                where,
                "No purchaseOrderNumber for the item (item, carton or pallet itemDetails).",
            )
            if doc is None:
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
