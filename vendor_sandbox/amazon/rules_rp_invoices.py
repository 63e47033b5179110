"""Retail Procurement transport requests (SubmitShipments) and invoices / credit notes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from vendor_pipelines.amazon.models import invoices as inv
from vendor_pipelines.amazon.models import shipments as rps

from .generator import iso
from .rules_base import TOLERANCE, ErrorDict, Evaluation, _find_line, err, rp_order_of
from .rules_credit_notes import credit_note_errors, record_credit_note
from .state import INVOICES, TRANSPORT, AmazonSandboxState, now_utc, parse_time


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
    settling: dict[str, str] = {}
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
        dated: set[str] = set()
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
            doc = rp_order_of(
                orders, po, errors, where, "purchaseOrderNumber is required on invoice items."
            )
            if doc is None:
                continue
            issued = parse_time(doc["order"]["orderDetails"].get("purchaseOrderDate"))
            if issued is not None and invoice.date.date() < issued.date() and po not in dated:
                dated.add(po)
                # Amazon's rule: an invoice is dated on or after the purchase order it bills.
                errors.append(
                    err(
                        "INVALID_INVOICE_DATE",
                        f"Invoice date {invoice.date.date()} is before purchase order {po} was"
                        f" issued ({issued.date()}).",
                        f"{where_inv} date",
                    )
                )
            line_item = _find_line(
                doc, None, item.amazonProductIdentifier, item.vendorProductIdentifier
            )
            if line_item is None:
                errors.append(err("INVALID_ITEM", f"Item is not on purchase order {po}.", where))
                continue
            seq = line_item["itemSequenceNumber"]
            adds[(po, seq)] += qty
        if invoice.invoiceType == inv.InvoiceType.CreditNote:
            errors.extend(credit_note_errors(state, invoice, settling))
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
            # Credit notes too: an id is never reused, whichever kind it numbered.
            state.store.put(INVOICES, invoice.id, {"receivedAt": when, "body": body})
            if invoice.invoiceType == inv.InvoiceType.CreditNote:
                record_credit_note(state, invoice, when)

    return errors, apply
