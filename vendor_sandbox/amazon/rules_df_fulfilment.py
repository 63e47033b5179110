"""Direct Fulfillment labels, inventory updates and invoices."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from vendor_pipelines.amazon.models import df_inventory as dfi
from vendor_pipelines.amazon.models import df_payments as dfp
from vendor_pipelines.amazon.models import df_shipping as dfs

from .generator import iso
from .rules_base import TOLERANCE, ErrorDict, Evaluation, _df_line, _df_party_errors, err
from .state import DF_INVENTORY, DF_INVOICES, DF_LABELS, AmazonSandboxState, now_utc


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
    vendors = (
        world.vendor_codes_in(state.region)
        if state.region
        else {v.vendor_code for v in world.vendors}
    )
    if inventory.sellingParty.partyId not in vendors:
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
