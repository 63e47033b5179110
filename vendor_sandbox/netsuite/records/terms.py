"""Terms of payment (the `term` record) and the due date an invoice gets from them.

NetSuite has two kinds of term, told apart by `dateDriven` (term record help, REST `term`):

* standard: due `daysUntilNetDue` days after the transaction date ("Net 30");
* date driven: due on day `dayOfMonthNetDue` of a month; a day the month does not have is its
  last day (31 = month end). The month is the transaction's, unless that day is already past or
  is `dueNextMonthIfWithinDays` days or fewer after the transaction date: then it is the next
  month's (e.g. "due the 15th, next month if within 10 days": 3 March -> 15 March, 8 March ->
  15 April, 20 March -> 15 April).

Amazon's end-of-month terms ("60 EOM" = 60 days after the end of the invoice month, vendor
finance reference §1.1) are not native to NetSuite: a date-driven term has no day count, and
accounts that bill on EOM terms add one with a customisation that sets the due date. The
sandbox folds that customisation into the term: a date-driven term that also has
`daysUntilNetDue` is due that many days after its date-driven date, so "60 EOM" is date driven
on day 31 with 60 days.

Invoices take the terms of their body, else of the sales order they bill, else of the customer;
the due date is computed from the transaction date and the terms unless the body gives one (a
given due date wins). No terms: due on the transaction date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from vendor_sandbox.netsuite.errors import invalid_content, user_error
from vendor_sandbox.netsuite.records.base import Books, Record, RecordType
from vendor_sandbox.netsuite.records.fields import (
    RECORD_BODY,
    RecordFields,
    flag,
    integer,
    numeric,
    text,
)

TERM_FIELDS = RecordFields(
    body=(
        *RECORD_BODY,
        text("name", "Terms"),
        flag("dateDriven", "Date Driven"),
        integer("daysUntilNetDue", "Days Till Net Due"),
        numeric("discountPercent", "% Discount"),
        integer("daysUntilExpiry", "Days Till Discount Expires"),
        integer("dayOfMonthNetDue", "Day Of Month Net Due"),
        integer("dueNextMonthIfWithinDays", "Due Next Month If Within Days"),
        numeric("discountPercentDateDriven", "% Discount (Date Driven)"),
        integer("dayDiscountExpires", "Day Discount Expires"),
        flag("preferred", "Preferred"),
        flag("isInactive", "Inactive"),
    )
)


@dataclass(frozen=True)
class PaymentTerm:
    """One term as the due-date rule reads it (the record's fields, snake_case)."""

    id: int
    name: str
    days_until_net_due: int | None = None
    date_driven: bool = False
    day_of_month_net_due: int | None = None
    due_next_month_if_within_days: int | None = None

    @classmethod
    def of(cls, record: Record) -> PaymentTerm:
        def number(key: str) -> int | None:
            value = record.get(key)
            return None if value is None else int(value)

        return cls(
            id=int(record["id"]),
            name=str(record.get("name") or record["id"]),
            days_until_net_due=number("daysUntilNetDue"),
            date_driven=bool(record.get("dateDriven")),
            day_of_month_net_due=number("dayOfMonthNetDue"),
            due_next_month_if_within_days=number("dueNextMonthIfWithinDays"),
        )

    def record(self) -> Record:
        """The stored `term` record."""
        out: Record = {
            "id": str(self.id),
            "refName": self.name,
            "name": self.name,
            "dateDriven": self.date_driven,
            "isInactive": False,
        }
        if self.days_until_net_due is not None:
            out["daysUntilNetDue"] = self.days_until_net_due
        if self.day_of_month_net_due is not None:
            out["dayOfMonthNetDue"] = self.day_of_month_net_due
        if self.due_next_month_if_within_days is not None:
            out["dueNextMonthIfWithinDays"] = self.due_next_month_if_within_days
        return out

    def due_date(self, trandate: dt.date) -> dt.date:
        if not self.date_driven:
            return trandate + dt.timedelta(days=self.days_until_net_due or 0)
        day = self.day_of_month_net_due or 1
        due = _day_of_month(trandate.year, trandate.month, day)
        within = self.due_next_month_if_within_days or 0
        if due < trandate or (within and (due - trandate).days <= within):
            year, month = _next_month(trandate.year, trandate.month)
            due = _day_of_month(year, month, day)
        return due + dt.timedelta(days=self.days_until_net_due or 0)


def _day_of_month(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


# The account's terms (Setup > Accounting > Accounting Lists > Term): what Amazon vendor
# agreements use, NET 30-120 and the EOM variants (vendor finance reference §1.1).
ACCOUNT_TERMS: tuple[PaymentTerm, ...] = (
    PaymentTerm(1, "Net 30", 30),
    PaymentTerm(2, "Net 45", 45),
    PaymentTerm(3, "Net 60", 60),
    PaymentTerm(4, "Net 90", 90),
    PaymentTerm(5, "Net 120", 120),
    PaymentTerm(6, "60 EOM", 60, date_driven=True, day_of_month_net_due=31),
    PaymentTerm(7, "90 EOM", 90, date_driven=True, day_of_month_net_due=31),
)


def term_named(name: str) -> PaymentTerm:
    found = next((t for t in ACCOUNT_TERMS if t.name == name), None)
    if found is None:
        raise KeyError(f"no term {name!r}; the account has {[t.name for t in ACCOUNT_TERMS]}")
    return found


class Term(RecordType):
    name = "term"
    title = "Term"
    counter_start = 101  # after the account's own list (ACCOUNT_TERMS)
    fields = TERM_FIELDS

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        if not body.get("name"):
            raise user_error("Please enter value(s) for: Terms", "name")
        record = super().build(books, body, record_id)
        record.setdefault("dateDriven", False)
        record.setdefault("isInactive", False)
        _check_day(record)
        record["refName"] = record["name"]
        return record

    def revise(
        self, books: Books, record: Record, body: dict[str, Any], replace: set[str]
    ) -> Record:
        revised = super().revise(books, record, body, replace)
        _check_day(revised)
        revised["refName"] = revised.get("name") or revised["id"]
        return revised


def _check_day(record: Record) -> None:
    day = record.get("dayOfMonthNetDue")
    if record.get("dateDriven") and day is None:
        raise user_error("Please enter value(s) for: Day Of Month Net Due", "dayOfMonthNetDue")
    if day is not None and not 1 <= int(day) <= 31:
        raise invalid_content(
            f"Invalid Field Value {day} for the following field: dayOfMonthNetDue",
            "dayOfMonthNetDue",
        )


# -- what an invoice gets -------------------------------------------------------------------


def apply_terms(books: Books, invoice: Record, defaults: tuple[Any, ...] = ()) -> Record:
    """Set the invoice's terms (its own, else the first of `defaults` that has a value: the
    order's, the customer's) and, unless it has one, its due date from tranDate and the terms."""
    chosen = invoice.get("terms") or next((d for d in defaults if d), None)
    term: Record | None = None
    if chosen:
        term = books.require("term", chosen, "terms", "Terms")
        invoice["terms"] = {"id": str(term["id"]), "refName": str(term.get("name") or term["id"])}
    if not invoice.get("dueDate") and invoice.get("tranDate"):
        trandate = dt.date.fromisoformat(str(invoice["tranDate"]))
        due = PaymentTerm.of(term).due_date(trandate) if term is not None else trandate
        invoice["dueDate"] = due.isoformat()
    return invoice
