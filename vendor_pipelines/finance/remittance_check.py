"""`vendor-pipelines remittance check`: what a remittance file says, before it goes in the inbox.

Each file is loaded, whole or not at all, by the loader the warehouse uses, into an in-memory
DuckDB of its own, and its lines are classified by the warehouse's own SQL
(`finance.classification`). The result lists the file's items in file order and they sum to the
file's total: a paid invoice is its gross amount plus, as items of their own, the terms
discount and the tax withheld from it (negative); an adjustment inside an invoice's loop, a
deduction or a reversal is its signed amount.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from vendor_pipelines.finance.classification import classified_lines_sql, load_seeds
from vendor_pipelines.finance.load import create_load_tables, load_remittance_bytes

# Charges an invoice payment line carries in columns of its own: (column, class, what it is).
COLUMN_CHARGES = (
    ("discount_amount", "TERMS_DISCOUNT"),
    ("withholding_amount", "TAX_WITHHELD"),
)


@dataclass(frozen=True)
class CheckedItem:
    reference: str
    purchase_order: str | None
    vendor_code: str | None
    amount: str
    class_code: str
    original_invoice: str | None
    links_to: str | None
    payment_number: str

    def to_json(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "purchase_order": self.purchase_order,
            "vendor_code": self.vendor_code,
            "amount": self.amount,
            "class": self.class_code,
            "original_invoice": self.original_invoice,
            "links_to": self.links_to,
            "payment_number": self.payment_number,
        }


@dataclass(frozen=True)
class CheckedPayment:
    payment_number: str
    payment_date: str | None  # None: the file does not state it
    currency: str
    total: str
    hidden_lines: bool


@dataclass
class CheckedFile:
    file: str
    status: str  # accepted | rejected
    reason: str | None = None
    format: str | None = None
    payment_number: str | None = None  # the file's payment; None when it has several
    payment_date: str | None = None
    currency: str | None = None
    total: str | None = None
    payments: list[CheckedPayment] = field(default_factory=list)
    lines: list[CheckedItem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def to_json(self) -> dict[str, object]:
        document = asdict(self)
        document["lines"] = [line.to_json() for line in self.lines]
        return document


def check_file(path: Path) -> CheckedFile:
    try:
        content = path.read_bytes()
    except OSError as exc:
        return CheckedFile(str(path), "rejected", reason=f"cannot read the file: {exc.strerror}")
    return check_bytes(content, str(path))


def check_bytes(content: bytes, name: str) -> CheckedFile:
    with duckdb.connect() as conn:
        create_load_tables(conn)
        result = load_remittance_bytes(conn, content, Path(name).name)
        if result.status != "loaded":
            return CheckedFile(name, "rejected", reason=result.reason or result.status)
        load_seeds(conn)
        source_format = conn.execute("SELECT source_format FROM raw.remittance_files").fetchone()
        payments = [
            CheckedPayment(number, None if day is None else str(day), currency, str(amount), hidden)
            for number, day, currency, amount, hidden in conn.execute(
                "SELECT payment_number, payment_date, currency, amount, has_hidden_lines"
                " FROM raw.remittance_payments ORDER BY source_line, payment_number"
            ).fetchall()
        ]
        cursor = conn.execute(f"SELECT * FROM ({classified_lines_sql(conn)}) ORDER BY line_no")
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    checked = CheckedFile(
        name,
        "accepted",
        format=source_format[0] if source_format else None,
        payments=payments,
        lines=[item for row in rows for item in _items(row)],
    )
    total = sum((Decimal(p.total) for p in payments), Decimal("0"))
    checked.total = str(total)
    currencies = {p.currency for p in payments}
    checked.currency = currencies.pop() if len(currencies) == 1 else None
    if len(payments) == 1:
        checked.payment_number = payments[0].payment_number
        checked.payment_date = payments[0].payment_date
    return checked


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _items(row: dict[str, object]) -> list[CheckedItem]:
    def item(amount: Decimal, class_code: str, links_to: str | None) -> CheckedItem:
        return CheckedItem(
            reference=str(row["reference"]),
            purchase_order=_text(row["po_number"]),
            vendor_code=_text(row["vendor_code"]),
            amount=str(amount),
            class_code=class_code,
            original_invoice=_text(row["original_invoice"]),
            links_to=links_to,
            payment_number=str(row["payment_number"]),
        )

    class_code = str(row["class_code"])
    if class_code != "INVOICE_PAYMENT":
        return [item(Decimal(str(row["amount"])), class_code, _text(row["links_to"]))]
    items = [item(Decimal(str(row["invoice_amount"])), class_code, None)]
    for column, charge_class in COLUMN_CHARGES:
        charge = Decimal(str(row[column]))
        if charge:
            items.append(item(-charge, charge_class, None))
    return items


def render_table(files: list[CheckedFile]) -> str:
    """The readable form: one block per file, its items as an aligned table."""
    out: list[str] = []
    for checked in files:
        if not checked.accepted:
            out += [f"{checked.file}: REJECTED", f"  {checked.reason}", ""]
            continue
        dates = ", ".join(
            f"{p.payment_number} of {p.payment_date or 'date not in the file'}"
            for p in checked.payments
        )
        out.append(
            f"{checked.file}: accepted ({checked.format}), payment {dates}, "
            f"total {checked.total} {checked.currency or 'mixed currencies'}"
        )
        header = ("reference", "purchase order", "vendor", "amount", "class", "invoice", "links to")
        table = [header] + [
            (
                i.reference,
                i.purchase_order or "",
                i.vendor_code or "",
                i.amount,
                i.class_code,
                i.original_invoice or "",
                i.links_to or "",
            )
            for i in checked.lines
        ]
        widths = [max(len(r[c]) for r in table) for c in range(len(header))]
        for number, record in enumerate(table):
            cells = [
                cell.rjust(widths[c]) if c == 3 and number else cell.ljust(widths[c])
                for c, cell in enumerate(record)
            ]
            out.append("  " + "  ".join(cells).rstrip())
        out.append("")
    return "\n".join(out)


def render_json(files: list[CheckedFile]) -> str:
    return json.dumps([f.to_json() for f in files], indent=2)
