"""Turn one verified settlement's warehouse rows into NetSuite request bodies.

Pure builders (no HTTP): the lead's posting asset reads `finance.cash_application` and
`finance.gl_postings` for one settlement, calls these, and upserts with
`PUT /record/v1/<type>/eid:<externalId>` (netsuite-rest.md §4), so a re-run posts nothing new.

Accounting shape (why two records): the customer payment deposits the *gross* invoice amounts
into settlement clearing and closes each invoice in full (Amazon does not part-pay); the journal
entry moves every deduction Amazon netted out of clearing onto its mapped account, one line per
charge. Clearing then holds exactly the bank deposit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

Money = Annotated[Decimal, PlainSerializer(lambda value: float(value), return_type=float)]
ZERO = Decimal("0")


class UnpostableSettlementError(ValueError):
    """The rows of a settlement cannot be posted (unmapped account, unbalanced, empty)."""


class NsRef(BaseModel):
    id: str


class PaymentApplyLine(BaseModel):
    doc: NsRef
    apply: bool = True
    amount: Money


class PaymentApplySublist(BaseModel):
    items: list[PaymentApplyLine]


class CustomerPaymentBody(BaseModel):
    """customerPayment (netsuite-rest.md §5.4)."""

    model_config = ConfigDict(populate_by_name=True)

    externalId: str
    customer: NsRef
    payment: Money
    tranDate: date
    memo: str
    account: NsRef | None = None
    currency: NsRef | None = None
    apply: PaymentApplySublist


class JournalLine(BaseModel):
    account: NsRef
    debit: Money | None = None
    credit: Money | None = None
    memo: str
    entity: NsRef | None = None


class JournalLineSublist(BaseModel):
    items: list[JournalLine]


class JournalEntryBody(BaseModel):
    """journalEntry (netsuite-rest.md §5.6)."""

    externalId: str
    tranDate: date
    memo: str
    subsidiary: NsRef | None = None
    currency: NsRef | None = None
    line: JournalLineSublist


class CreditMemoLine(BaseModel):
    item: NsRef
    quantity: int
    rate: Money
    amount: Money
    description: str


class CreditMemoItemSublist(BaseModel):
    items: list[CreditMemoLine]


class CreditMemoBody(BaseModel):
    """creditMemo, standalone (netsuite-rest.md §5.5): the customer's credit for a claim."""

    externalId: str
    entity: NsRef
    tranDate: date
    memo: str
    otherRefNum: str
    currency: NsRef | None = None
    item: CreditMemoItemSublist


def external_id(prefix: str, settlement_id: str) -> str:
    """Deterministic NetSuite externalId (allowed: letters, digits, `_`, `-`)."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', settlement_id)}"


def payment_external_id(settlement_id: str) -> str:
    return external_id("AMZ-PMT", settlement_id)


def journal_external_id(settlement_id: str) -> str:
    # Same text as gl_postings.journal_external_id, so warehouse and NetSuite agree.
    return external_id("AMZ-JE", settlement_id)


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else ZERO


def build_customer_payment(
    settlement_id: str,
    settlement_date: date,
    customer_id: str,
    cash_rows: Iterable[Mapping[str, Any]],
    *,
    clearing_account_id: str | None = None,
    currency_id: str | None = None,
) -> CustomerPaymentBody:
    """customerPayment applying each invoice's gross amount, from `finance.cash_application` rows
    of one settlement (columns `invoice_id`, `apply_amount`)."""
    applied: dict[str, Decimal] = {}
    for row in cash_rows:
        amount = _money(row.get("apply_amount"))
        if row.get("invoice_id") is None or amount == 0:
            continue
        applied[str(row["invoice_id"])] = applied.get(str(row["invoice_id"]), ZERO) + amount
    if not applied:
        raise UnpostableSettlementError(f"settlement {settlement_id} applies cash to no invoice")
    items = [
        PaymentApplyLine(doc=NsRef(id=invoice_id), amount=amount)
        for invoice_id, amount in sorted(applied.items())
    ]
    return CustomerPaymentBody(
        externalId=payment_external_id(settlement_id),
        customer=NsRef(id=str(customer_id)),
        payment=sum(applied.values(), ZERO),
        tranDate=settlement_date,
        memo=f"Amazon payment {settlement_id}",
        account=NsRef(id=clearing_account_id) if clearing_account_id else None,
        currency=NsRef(id=currency_id) if currency_id else None,
        apply=PaymentApplySublist(items=items),
    )


def build_journal_entry(
    settlement_id: str,
    settlement_date: date,
    gl_rows: Iterable[Mapping[str, Any]],
    *,
    account_ids: Mapping[str, str] | None = None,
    subsidiary_id: str | None = None,
    currency_id: str | None = None,
) -> JournalEntryBody:
    """journalEntry with one line per charge, from `finance.gl_postings` rows of one settlement
    (columns `journal_line_no`, `gl_account_number`, `debit`, `credit`, `memo`, `customer_id`).

    `account_ids` maps GL account numbers to NetSuite internal ids (identity when omitted).
    Refuses an unmapped or unbalanced settlement even if the blocking checks were bypassed.
    """
    return journal_entry(
        journal_external_id(settlement_id),
        settlement_date,
        f"Amazon deductions, payment {settlement_id}",
        gl_rows,
        subject=f"settlement {settlement_id}",
        account_ids=account_ids,
        subsidiary_id=subsidiary_id,
        currency_id=currency_id,
    )


def journal_entry(
    external_id: str,
    tran_date: date,
    memo: str,
    gl_rows: Iterable[Mapping[str, Any]],
    *,
    subject: str,
    account_ids: Mapping[str, str] | None = None,
    subsidiary_id: str | None = None,
    currency_id: str | None = None,
) -> JournalEntryBody:
    """A balanced journalEntry from warehouse journal rows (columns `journal_line_no`,
    `gl_account_number`, `debit`, `credit`, `memo`, `customer_id`), shared by the settlement
    journals and the dispute reclass journals; `subject` names the rows in a refusal."""
    rows = sorted(gl_rows, key=lambda row: int(row["journal_line_no"]))
    if not rows:
        raise UnpostableSettlementError(f"{subject} has no journal lines")
    unmapped = [str(row.get("memo")) for row in rows if not row.get("gl_account_number")]
    if unmapped:
        raise UnpostableSettlementError(
            f"{subject} has charges without a GL account: {', '.join(unmapped)}"
        )
    debits = sum((_money(row.get("debit")) for row in rows), ZERO)
    credits = sum((_money(row.get("credit")) for row in rows), ZERO)
    if debits != credits:
        raise UnpostableSettlementError(
            f"{subject} is unbalanced: debits {debits} != credits {credits}"
        )
    lines = []
    for row in rows:
        number = str(row["gl_account_number"])
        debit, credit = _money(row.get("debit")), _money(row.get("credit"))
        lines.append(
            JournalLine(
                account=NsRef(id=(account_ids or {}).get(number, number)),
                debit=debit if debit else None,
                credit=credit if credit else None,
                memo=str(row.get("memo") or ""),
                entity=NsRef(id=str(row["customer_id"])) if row.get("customer_id") else None,
            )
        )
    return JournalEntryBody(
        externalId=external_id,
        tranDate=tran_date,
        memo=memo,
        subsidiary=NsRef(id=subsidiary_id) if subsidiary_id else None,
        currency=NsRef(id=currency_id) if currency_id else None,
        line=JournalLineSublist(items=lines),
    )


def to_payload(body: BaseModel) -> dict[str, Any]:
    """JSON-ready dict without unset optional references."""
    return body.model_dump(mode="json", exclude_none=True)
