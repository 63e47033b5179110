"""Write payloads for the records the pipelines create, in NetSuite's REST shapes.

References are written `{"id": "..."}`; sublists as `{"items": [...]}`; custom fields are
top-level properties (`custbody_*`, `custcol_*`). Models validate what NetSuite would refuse
(an unbalanced journal, a non-positive quantity) before a request is spent on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_validator


def ref(record_id: str | int) -> dict[str, str]:
    return {"id": str(record_id)}


class SalesOrderLine(BaseModel):
    item_id: str | int
    quantity: Decimal = Field(gt=0)
    rate: Decimal | None = None  # omitted: NetSuite uses the item's price
    location_id: str | int | None = None
    line: int | None = None  # set it to make re-upserts match lines instead of adding them
    description: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)  # custcol_*

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"item": ref(self.item_id), "quantity": float(self.quantity)}
        if self.rate is not None:
            body["rate"] = float(self.rate)
        if self.location_id is not None:
            body["location"] = ref(self.location_id)
        if self.line is not None:
            body["line"] = self.line
        if self.description:
            body["description"] = self.description
        return body | self.custom_fields


class SalesOrder(BaseModel):
    customer_id: str | int
    lines: list[SalesOrderLine] = Field(min_length=1)
    external_id: str | None = None
    other_ref_num: str | None = None  # "PO/Check Number": the Amazon PO number
    tran_date: str | None = None
    location_id: str | int | None = None
    approved: bool = True  # orderStatus B (Pending Fulfillment) rather than A
    memo: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)  # custbody_*

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "entity": ref(self.customer_id),
            "orderStatus": {"id": "B" if self.approved else "A"},
            "item": {"items": [line.payload() for line in self.lines]},
        }
        optional = {
            "externalId": self.external_id,
            "otherRefNum": self.other_ref_num,
            "tranDate": self.tran_date,
            "memo": self.memo,
            "location": ref(self.location_id) if self.location_id is not None else None,
        }
        body |= {k: v for k, v in optional.items() if v is not None}
        return body | self.custom_fields


class PaymentApplication(BaseModel):
    invoice_id: str | int
    amount: Decimal = Field(gt=0)


class CustomerPayment(BaseModel):
    customer_id: str | int
    applications: list[PaymentApplication]
    payment: Decimal | None = None  # defaults to the sum applied
    external_id: str | None = None
    tran_date: str | None = None
    memo: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        applied = sum((a.amount for a in self.applications), Decimal(0))
        body: dict[str, Any] = {
            "customer": ref(self.customer_id),
            "payment": float(self.payment if self.payment is not None else applied),
            "apply": {
                "items": [
                    {"doc": ref(a.invoice_id), "apply": True, "amount": float(a.amount)}
                    for a in self.applications
                ]
            },
        }
        optional = {"externalId": self.external_id, "tranDate": self.tran_date, "memo": self.memo}
        return body | {k: v for k, v in optional.items() if v is not None} | self.custom_fields


class JournalLine(BaseModel):
    account_id: str | int
    debit: Decimal | None = Field(default=None, gt=0)
    credit: Decimal | None = Field(default=None, gt=0)
    memo: str | None = None
    entity_id: str | int | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_side(self) -> JournalLine:
        if (self.debit is None) == (self.credit is None):
            raise ValueError("a journal line has exactly one of debit or credit")
        return self

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"account": ref(self.account_id)}
        if self.debit is not None:
            body["debit"] = float(self.debit)
        if self.credit is not None:
            body["credit"] = float(self.credit)
        if self.memo:
            body["memo"] = self.memo
        if self.entity_id is not None:
            body["entity"] = ref(self.entity_id)
        return body | self.custom_fields


class JournalEntry(BaseModel):
    lines: list[JournalLine] = Field(min_length=2)
    external_id: str | None = None
    tran_date: str | None = None
    memo: str | None = None
    subsidiary_id: str | int | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _balanced(self) -> JournalEntry:
        debits = sum((line.debit or Decimal(0) for line in self.lines), Decimal(0))
        credits = sum((line.credit or Decimal(0) for line in self.lines), Decimal(0))
        if debits != credits:
            raise ValueError(f"journal does not balance: debits {debits} != credits {credits}")
        return self

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"line": {"items": [line.payload() for line in self.lines]}}
        optional = {
            "externalId": self.external_id,
            "tranDate": self.tran_date,
            "memo": self.memo,
            "subsidiary": ref(self.subsidiary_id) if self.subsidiary_id is not None else None,
        }
        return body | {k: v for k, v in optional.items() if v is not None} | self.custom_fields


def line_closure_body(lines: Sequence[int], *, closed: bool) -> dict[str, Any]:
    return {"item": {"items": [{"line": int(n), "isClosed": closed} for n in lines]}}


def fulfilment_body(
    order_lines: Sequence[Mapping[str, Any]],
    quantities: Mapping[int, float],
    *,
    location: str | int | None = None,
) -> dict[str, Any]:
    """itemFulfillment transform body shipping `quantities` and explicitly skipping the rest."""
    known = {int(line["line"]) for line in order_lines}
    unknown = set(quantities) - known
    if unknown:
        raise ValueError(f"sales order has no lines {sorted(unknown)}")
    items: list[dict[str, Any]] = []
    for line in order_lines:
        number = int(line["line"])
        quantity = quantities.get(number, 0)
        if quantity > 0:
            entry: dict[str, Any] = {"orderLine": number, "quantity": quantity}
            if location is not None:
                entry["location"] = ref(location)
            items.append(entry)
        elif not line.get("isClosed"):
            items.append({"orderLine": number, "itemReceive": False})
    return {"item": {"items": items}}
