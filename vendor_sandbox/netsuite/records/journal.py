"""Journal entries: lines with exactly one of debit or credit, and the totals must balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from vendor_sandbox.netsuite.errors import invalid_content, user_error
from vendor_sandbox.netsuite.records.base import Books, Record, RecordType, money, ref_id
from vendor_sandbox.netsuite.records.fields import (
    LINE_CUSTOM,
    TRANSACTION_BODY,
    TRANSACTION_CUSTOM_BODY,
    RecordFields,
    Sublist,
    flag,
    integer,
    numeric,
    select,
    text,
)

JOURNAL_ENTRY_FIELDS = RecordFields(
    body=(
        *TRANSACTION_BODY,
        # With journal approval routing; the reference leaves the exact name open.
        flag("approved", "Approved"),
        *TRANSACTION_CUSTOM_BODY,
    ),
    sublists=(
        Sublist(
            "line",
            "Lines",
            key="line",
            fields=(
                integer("line", "Line"),
                select("account", "Account", "account"),
                numeric("debit", "Debit"),
                numeric("credit", "Credit"),
                text("memo", "Memo"),
                select("entity", "Name", "customer"),
                select("department", "Department", "department"),
                select("class", "Class", "classification"),
                select("location", "Location", "location"),
                *LINE_CUSTOM,
            ),
        ),
    ),
)


class JournalEntry(RecordType):
    name = "journalEntry"
    title = "Journal"
    counter = "transaction"
    counter_start = 5001
    fields = JOURNAL_ENTRY_FIELDS
    transaction_code = "Journal"

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        record = super().build(books, body, record_id)
        record.setdefault("tranId", f"JE{books.next_id('tranid.journalEntry', 1)}")
        record.setdefault("tranDate", dt.date.today().isoformat())
        return self._balanced(books, record)

    def revise(
        self, books: Books, record: Record, body: dict[str, Any], replace: set[str]
    ) -> Record:
        return self._balanced(books, super().revise(books, record, body, replace))

    def _balanced(self, books: Books, record: Record) -> Record:
        lines = record["line"]["items"]
        if len(lines) < 2:
            raise user_error("A journal entry needs at least two lines.", "line")
        debits = credits = Decimal(0)
        for i, line in enumerate(lines):
            path = f"line.items[{i}]"
            if ref_id(line.get("account")) is None:
                raise user_error("Please enter value(s) for: Account", f"{path}.account")
            line["account"] = {"id": ref_id(line["account"])}
            debit, credit = line.get("debit"), line.get("credit")
            if (debit is None) == (credit is None):
                raise invalid_content(
                    "Each journal line takes exactly one of debit or credit.", path
                )
            amount = Decimal(str(debit if debit is not None else credit))
            if amount <= 0:
                raise invalid_content("Debit and credit amounts must be positive.", path)
            if line.get("entity") is not None:
                line["entity"] = {
                    "id": str(
                        books.require("customer", line["entity"], f"{path}.entity", "Name")["id"]
                    )
                }
            if debit is not None:
                line["debit"] = money(debit)
                debits += Decimal(str(line["debit"]))
            else:
                line["credit"] = money(credit)
                credits += Decimal(str(line["credit"]))
        if debits != credits:
            raise user_error(
                f"The journal entry is out of balance: debits {debits} and credits {credits} "
                "must be equal.",
                "line",
            )
        record["total"] = float(debits)
        return record
