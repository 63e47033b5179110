"""Invoices, customer payments and credit memos, and how money moves between them.

Invoices bill fulfilled-but-unbilled order quantities. They carry terms and a due date
(`terms.apply_terms`: the body's terms, else the order's, else the customer's; the due date
from tranDate and the terms unless the body gives one). Payments and credit memos apply to
invoices through the `apply` sublist (keyed by `doc`), lowering the invoice's amount remaining;
an invoice with nothing remaining is Paid In Full. Changing or removing an application gives the
money back to the invoice first, then applies the new amounts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vendor_sandbox.netsuite.errors import invalid_content, user_error
from vendor_sandbox.netsuite.records.base import (
    Books,
    Record,
    RecordType,
    Transform,
    custom_fields,
    money,
    quantity,
    ref_id,
    reference,
)
from vendor_sandbox.netsuite.records.fields import (
    ITEM_LINE,
    LINE_CUSTOM,
    TRANSACTION_BODY,
    TRANSACTION_CUSTOM_BODY,
    Field,
    RecordFields,
    Sublist,
    address,
    day,
    enum,
    flag,
    integer,
    numeric,
    select,
    text,
)
from vendor_sandbox.netsuite.records.order_state import (
    refresh,
    requested_lines,
    require_approved,
)
from vendor_sandbox.netsuite.records.terms import apply_terms

INVOICE_STATUS = {"A": "Open", "B": "Paid In Full"}

# Billed lines: an invoice's or a credit memo's item sublist.
BILLED_LINE_FIELDS: tuple[Field, ...] = (
    integer("line", "Line"),
    integer("orderLine", "Order Line"),
    *ITEM_LINE,
    *LINE_CUSTOM,
)

# Applications of money to invoices (keyed by `doc`).
APPLY = Sublist(
    "apply",
    "Apply",
    key="doc",
    fields=(
        select("doc", "Invoice", "invoice"),
        flag("apply", "Apply"),
        numeric("amount", "Payment"),
        integer("line", "Line"),
        day("applyDate", "Date"),
        numeric("due", "Amount Due", read_only=True),
        numeric("total", "Original Amount", read_only=True),
        text("refNum", "Ref No.", read_only=True),
        text("type", "Type", read_only=True),
    ),
)

INVOICE_FIELDS = RecordFields(
    body=(
        *TRANSACTION_BODY,
        select("entity", "Customer", "customer"),
        select("createdFrom", "Created From", "salesOrder", read_only=True),
        text("otherRefNum", "PO/Check Number"),
        day("dueDate", "Due Date"),
        select("terms", "Terms", "term"),
        select("account", "A/R Account", "account"),
        select("shipMethod", "Ship Via", "shipItem"),
        numeric("shippingCost", "Shipping Cost"),
        numeric("discountTotal", "Discount"),
        # The sandbox's stand-in for SuiteTax's tax code (a percent of the taxable amount).
        numeric("taxRate", "Tax Rate (%)"),
        numeric("subtotal", "Subtotal", read_only=True),
        numeric("taxTotal", "Tax", read_only=True),
        numeric("amountRemaining", "Amount Remaining", read_only=True),
        numeric("amountPaid", "Amount Paid", read_only=True),
        enum("status", "Status", tuple(INVOICE_STATUS), read_only=True),
        *TRANSACTION_CUSTOM_BODY,
    ),
    sublists=(Sublist("item", "Items", key="line", fields=BILLED_LINE_FIELDS),),
    subrecords=(address("shippingAddress", "Ship To"), address("billingAddress", "Bill To")),
)

CUSTOMER_PAYMENT_FIELDS = RecordFields(
    body=(
        *TRANSACTION_BODY,
        select("customer", "Customer", "customer"),
        numeric("payment", "Payment Amount"),
        select("account", "Account", "account"),
        flag("toBeEmailed", "To Be E-mailed"),
        numeric("applied", "Applied", read_only=True),
        numeric("unapplied", "Unapplied", read_only=True),
        *TRANSACTION_CUSTOM_BODY,
    ),
    sublists=(APPLY,),
)

CREDIT_MEMO_FIELDS = RecordFields(
    body=(
        *TRANSACTION_BODY,
        select("entity", "Customer", "customer"),
        select("createdFrom", "Created From", "invoice", read_only=True),
        text("otherRefNum", "PO/Check Number"),
        select("account", "A/R Account", "account"),
        numeric("applied", "Applied", read_only=True),
        numeric("unapplied", "Unapplied", read_only=True),
        *TRANSACTION_CUSTOM_BODY,
    ),
    sublists=(Sublist("item", "Items", key="line", fields=BILLED_LINE_FIELDS), APPLY),
)


def _today() -> str:
    return dt.date.today().isoformat()


def _set_invoice_status(invoice: Record) -> None:
    state = "B" if float(invoice["amountRemaining"]) <= 0 else "A"
    invoice["status"] = {"id": state, "refName": INVOICE_STATUS[state]}


class Invoice(RecordType):
    name = "invoice"
    title = "Invoice"
    counter = "transaction"
    counter_start = 5001
    fields = INVOICE_FIELDS
    transaction_code = "CustInvc"

    @property
    def transforms(self) -> dict[str, Transform]:
        return {"customerPayment": payment_from_invoice, "creditMemo": credit_from_invoice}

    def revise(
        self, books: Books, record: Record, body: dict[str, Any], replace: set[str]
    ) -> Record:
        revised = super().revise(books, record, body, replace)
        if {"tranDate", "terms", "dueDate"} & set(body):
            # A new date or new terms move the due date, unless the edit sets one itself.
            if body.get("dueDate") is None:
                revised.pop("dueDate", None)
            apply_terms(books, revised)
        return price_invoice(revised)

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        customer = books.require("customer", body.get("entity"), "entity", "Customer")
        record = super().build(books, body, record_id)
        lines = record["item"]["items"]
        if not lines:
            raise user_error("You must enter at least one line item for this transaction.", "item")
        for i, line in enumerate(lines):
            item = books.require("inventoryItem", line.get("item"), f"item.items[{i}].item", "Item")
            qty = quantity(line.get("quantity", 1), f"item.items[{i}].quantity")
            rate = money(line.get("rate", item["basePrice"]))
            line |= {
                "item": reference(item, "itemId"),
                "quantity": qty,
                "rate": rate,
                "amount": money(qty * rate),
            }
        record["entity"] = reference(customer)
        record.setdefault("tranId", f"INV{books.next_id('tranid.invoice', 1)}")
        record.setdefault("tranDate", _today())
        apply_terms(books, record, (customer.get("terms"),))
        return price_invoice(record)


def price_invoice(invoice: Record) -> Record:
    """NetSuite's invoice arithmetic, on create and on every edit.

    Line amount = quantity x rate; subtotal = sum of lines; `discountTotal` (negative) and
    `shippingCost` are header amounts; with a header `taxRate` (percent) the tax is charged on
    subtotal + discount + shipping; total = subtotal + discount + shipping + tax. What was
    already paid or credited stays applied: the amount remaining moves with the total.
    """
    for line in invoice["item"]["items"]:
        line["amount"] = money(float(line["quantity"]) * float(line["rate"]))
    subtotal = money(sum(float(line["amount"]) for line in invoice["item"]["items"]))
    taxable = (
        subtotal
        + float(invoice.get("discountTotal") or 0)
        + float(invoice.get("shippingCost") or 0)
    )
    rate = invoice.get("taxRate")
    tax = money(taxable * float(rate) / 100) if rate else 0.0
    total = money(taxable + tax)
    before = float(invoice.get("total", total))
    remaining = float(invoice.get("amountRemaining", before))
    invoice |= {
        "subtotal": subtotal,
        "taxTotal": tax,
        "total": total,
        "amountRemaining": money(remaining + total - before),
    }
    invoice.setdefault("amountPaid", 0.0)
    _set_invoice_status(invoice)
    return invoice


def invoice_from_order(books: Books, order: Record, body: dict[str, Any]) -> Record:
    require_approved(order, "bill")
    requested = requested_lines(body, order)
    billed: list[Record] = []
    for line in order["item"]["items"]:
        number = int(line["line"])
        wanted = requested.get(number)
        billable = float(line.get("quantityFulfilled", 0)) - float(line.get("quantityBilled", 0))
        qty = billable
        if wanted is not None and wanted.get("quantity") is not None:
            qty = quantity(wanted["quantity"], f"{wanted['_path']}.quantity")
        if qty <= 0:
            continue
        if qty > billable:
            raise user_error(
                f"You cannot bill {qty:g} on line {number}: only {billable:g} fulfilled and "
                "not yet billed.",
                f"{wanted['_path'] if wanted else 'item'}.quantity",
            )
        billed.append(
            {
                "line": len(billed) + 1,
                "orderLine": number,
                "item": line["item"],
                "quantity": qty,
                "rate": line["rate"],
                "amount": money(qty * float(line["rate"])),
            }
            | custom_fields(line, ("custcol",))
        )
    if not billed:
        raise user_error("There are no fulfilled, unbilled lines on this order to invoice.")
    by_number = {int(line["line"]): line for line in order["item"]["items"]}
    for line in billed:
        order_line = by_number[line["orderLine"]]
        order_line["quantityBilled"] = float(order_line["quantityBilled"]) + line["quantity"]
    books.put("salesOrder", refresh(order))
    invoice = {
        "tranId": f"INV{books.next_id('tranid.invoice', 1)}",
        "tranDate": body.get("tranDate") or _today(),
        "entity": order["entity"],
        "createdFrom": {"id": str(order["id"]), "refName": f"Sales Order #{order['tranId']}"},
        "otherRefNum": order.get("otherRefNum"),
        "item": {"items": billed},
        **custom_fields(order, ("custbody",)),
        **{k: v for k, v in body.items() if k in ("memo", "externalId", "dueDate", "terms")},
        **custom_fields(body, ("custbody",)),
    }
    customer = books.get("customer", str(order["entity"]["id"])) or {}
    apply_terms(books, invoice, (order.get("terms"), customer.get("terms")))
    return price_invoice(invoice)


class _Applying(RecordType):
    """Shared by payments and credit memos: the keyed `apply` sublist against invoices."""

    entity_field = "customer"

    def apply_all(self, books: Books, record: Record, available: float) -> None:
        applied = 0.0
        for i, line in enumerate(record.get("apply", {}).get("items", [])):
            path = f"apply.items[{i}]"
            if line.get("apply") is False or float(line.get("amount", 1) or 0) == 0:
                line |= {"apply": False, "amount": 0.0}
                continue
            invoice = books.get("invoice", ref_id(line.get("doc")) or "")
            if invoice is None:
                raise invalid_content(
                    f"Invalid Field Value {ref_id(line.get('doc'))} for the following field: doc",
                    f"{path}.doc",
                )
            if invoice["entity"]["id"] != record[self.entity_field]["id"]:
                raise user_error(f"Invoice {invoice['tranId']} belongs to another customer.", path)
            remaining = float(invoice["amountRemaining"])
            amount = money(line["amount"]) if line.get("amount") is not None else remaining
            if amount > remaining + 1e-9:
                raise user_error(
                    f"The amount applied to invoice {invoice['tranId']} ({amount:.2f}) exceeds "
                    f"its amount remaining ({remaining:.2f}).",
                    f"{path}.amount",
                )
            invoice["amountRemaining"] = money(remaining - amount)
            invoice["amountPaid"] = money(float(invoice.get("amountPaid", 0)) + amount)
            _set_invoice_status(invoice)
            books.put("invoice", invoice)
            applied += amount
            line |= {
                "doc": {"id": str(invoice["id"]), "refName": f"Invoice #{invoice['tranId']}"},
                "apply": True,
                "amount": amount,
                "total": invoice["total"],
                "due": remaining,
                "refNum": invoice["tranId"],
                "type": "Invoice",
            }
        if applied > available + 1e-9:
            raise user_error(
                f"The total applied ({applied:.2f}) exceeds the amount available ({available:.2f})."
            )
        record["applied"] = money(applied)
        record["unapplied"] = money(available - applied)

    def unapply_all(self, books: Books, record: Record) -> None:
        for line in record.get("apply", {}).get("items", []):
            if not line.get("apply"):
                continue
            invoice = books.get("invoice", ref_id(line["doc"]) or "")
            if invoice is None:
                continue
            amount = float(line["amount"])
            invoice["amountRemaining"] = money(float(invoice["amountRemaining"]) + amount)
            invoice["amountPaid"] = money(float(invoice.get("amountPaid", 0)) - amount)
            _set_invoice_status(invoice)
            books.put("invoice", invoice)

    def available(self, record: Record) -> float:
        raise NotImplementedError

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        record = super().build(books, body, record_id)
        customer = books.require(
            "customer", body.get(self.entity_field), self.entity_field, "Customer"
        )
        record[self.entity_field] = reference(customer)
        record.setdefault("tranDate", _today())
        self.complete(books, record)
        self.apply_all(books, record, self.available(record))
        return record

    def revise(
        self, books: Books, record: Record, body: dict[str, Any], replace: set[str]
    ) -> Record:
        self.unapply_all(books, record)
        revised = super().revise(books, record, body, replace)
        self.complete(books, revised)
        self.apply_all(books, revised, self.available(revised))
        return revised

    def complete(self, books: Books, record: Record) -> None:
        """Fill computed body fields before applying."""


class CustomerPayment(_Applying):
    name = "customerPayment"
    title = "Payment"
    counter = "transaction"
    counter_start = 5001
    fields = CUSTOMER_PAYMENT_FIELDS
    transaction_code = "CustPymt"

    def complete(self, books: Books, record: Record) -> None:
        if record.get("payment") is None:
            # NetSuite fills the payment with what is applied; so does the sandbox.
            lines = record.get("apply", {}).get("items", [])
            record["payment"] = money(
                sum(float(line.get("amount") or 0) for line in lines if line.get("apply", True))
            )
        record["payment"] = money(record["payment"])
        if record["payment"] <= 0:
            raise invalid_content("Payment must be greater than zero.", "payment")
        record["total"] = record["payment"]
        record.setdefault("tranId", f"PYMT{books.next_id('tranid.customerPayment', 1)}")

    def available(self, record: Record) -> float:
        return float(record["payment"])


class CreditMemo(_Applying):
    name = "creditMemo"
    title = "Credit Memo"
    counter = "transaction"
    counter_start = 5001
    fields = CREDIT_MEMO_FIELDS
    transaction_code = "CustCred"
    entity_field = "entity"

    def complete(self, books: Books, record: Record) -> None:
        lines = record.get("item", {}).get("items", [])
        if not lines:
            raise user_error("You must enter at least one line item for this transaction.", "item")
        for i, line in enumerate(lines):
            item = books.require("inventoryItem", line.get("item"), f"item.items[{i}].item", "Item")
            line["item"] = reference(item, "itemId")
            if line.get("amount") is None:
                qty = quantity(line.get("quantity", 1), f"item.items[{i}].quantity")
                line["amount"] = money(qty * float(line.get("rate", item["basePrice"])))
            line["amount"] = money(line["amount"])
        record["total"] = money(sum(float(line["amount"]) for line in lines))
        record.setdefault("tranId", f"CM{books.next_id('tranid.creditMemo', 1)}")

    def available(self, record: Record) -> float:
        return float(record["total"])


def payment_from_invoice(books: Books, invoice: Record, body: dict[str, Any]) -> Record:
    remaining = float(invoice["amountRemaining"])
    if remaining <= 0:
        raise user_error(f"Invoice {invoice['tranId']} is already paid in full.")
    amount = money(body.get("payment", remaining))
    draft = {
        "customer": invoice["entity"],
        "payment": amount,
        "apply": {"items": [{"doc": {"id": str(invoice["id"])}, "apply": True, "amount": amount}]},
    } | {k: v for k, v in body.items() if k not in ("apply", "customer")}
    return _draft(draft)


def credit_from_invoice(books: Books, invoice: Record, body: dict[str, Any]) -> Record:
    lines = (body.get("item") or {}).get("items") or [
        {"item": line["item"], "quantity": line["quantity"], "rate": line["rate"]}
        for line in invoice["item"]["items"]
    ]
    total = sum(
        float(line.get("amount") or float(line.get("quantity", 1)) * float(line.get("rate", 0)))
        for line in lines
    )
    draft = {
        "entity": invoice["entity"],
        "createdFrom": {"id": str(invoice["id"]), "refName": f"Invoice #{invoice['tranId']}"},
        "item": {"items": lines},
        "apply": {
            "items": [
                {
                    "doc": {"id": str(invoice["id"])},
                    "apply": True,
                    "amount": money(min(total, float(invoice["amountRemaining"]))),
                }
            ]
        },
    } | {k: v for k, v in body.items() if k not in ("apply", "entity", "item")}
    return _draft(draft)


def _draft(body: dict[str, Any]) -> Record:
    """Transforms to applying records return a body for the target type's `build`."""
    return {"_build_from_body": True, **body}
