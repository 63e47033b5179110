"""`vendor-pipelines remittance check`: what a remittance file says, before it goes in the inbox.

Each file is loaded, whole or not at all, by the loader the warehouse uses, into an in-memory
DuckDB of its own, and the warehouse's own dbt models run over it as views (`finance.dbt_sql`):
staging, classification (`int_remittance_lines_classified`) and the per-line charges
(`int_settlement_charges`). The result lists the file's items in file order and they sum to the
file's total: a paid invoice is its gross amount plus, as items of their own, the charges the
model takes from it (the terms discount and the tax withheld, negative); an adjustment inside
an invoice's loop, a deduction or a reversal is its signed amount.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from vendor_pipelines.finance import schema as finance_schema
from vendor_pipelines.finance.dbt_sql import create_model_views, load_seeds
from vendor_pipelines.finance.load import load_remittance_bytes

MODELS = ("stg_remittance_lines", "int_remittance_lines_classified", "int_settlement_charges")

# The file's items in file order: each invoice payment line at its gross amount, then the
# charges of its line (the line itself, for any other line; its column charges, by charge_id,
# for an invoice payment).
ITEMS = """
with items as (
    select line_id, line_id as charge_id, reference, vendor_code, invoice_amount as amount,
           class_code, original_invoice, null as links_to, payment_number
    from finance.int_remittance_lines_classified
    where class_code = 'INVOICE_PAYMENT'
    union all by name
    select line_id, charge_id, reference, vendor_code, amount, class_code, original_invoice,
           links_to, payment_number
    from finance.int_settlement_charges
)
select items.reference, lines.po_number, items.vendor_code, items.amount, items.class_code,
       items.original_invoice, items.links_to, items.payment_number
from items
join finance.int_remittance_lines_classified as lines using (line_id)
order by lines.line_no, items.charge_id
"""


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
        finance_schema.apply(conn)  # a scratch warehouse: the remittance tables are enough
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
        create_model_views(conn, MODELS)
        # ITEMS selects CheckedItem's fields in order; only those that may be null ever are.
        items = [
            CheckedItem(*(_text(value) for value in row)) for row in conn.execute(ITEMS).fetchall()
        ]
    checked = CheckedFile(
        name,
        "accepted",
        format=source_format[0] if source_format else None,
        payments=payments,
        lines=items,
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
