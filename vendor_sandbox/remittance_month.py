"""A seeded month of Amazon invoices, their NetSuite records and the remittances that pay them.

Used by the "reconciliation ties to the cent" test and the demo: the generator keeps its own
ledger (`expected`) in Decimal arithmetic, independent of the warehouse SQL, so the test can
compare the two. Four weekly payments, alternating 820 and VC CSV files, each carrying every
deduction type; later payments reverse deductions on invoices paid earlier.

Each invoice's due date is what NetSuite gives it: the invoice date plus the vendor code's terms
(`terms`, a name from the sandbox account's term list; Net 30 unless the caller names the terms
of the NetSuite customer the invoices are billed to).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import duckdb

from vendor_pipelines import warehouse_schema
from vendor_sandbox.netsuite.records.terms import term_named
from vendor_sandbox.remittance_files import (
    SandboxInvoice,
    SandboxInvoiceLine,
    SandboxPayment,
    cents,
    settlement_for_invoices,
)
from vendor_sandbox.remittance_writers import write_820, write_vc_payments_csv


@dataclass(frozen=True)
class SandboxItem:
    item_id: str
    sku: str
    asin: str
    price: Decimal  # what Amazon pays per unit (invoice unit cost)
    cost: Decimal  # NetSuite item cost (COGS)


@dataclass
class SeededMonth:
    vendor_code: str
    customer_id: str
    items: list[SandboxItem]
    invoices: list[SandboxInvoice]
    payments: list[SandboxPayment]
    files: list[tuple[str, bytes]] = field(default_factory=list)
    terms: str = "Net 30"  # the customer's terms (sandbox term name): they give the due dates

    def due_date(self, invoice_date: date) -> date:
        return term_named(self.terms).due_date(invoice_date)

    def invoice_id(self, invoice_number: str) -> str:
        return str(700000 + [i.invoice_number for i in self.invoices].index(invoice_number))

    @property
    def expected_by_class(self) -> dict[str, Decimal]:
        """Signed cash per class as the generator meant it (terms discounts apart)."""
        totals: dict[str, Decimal] = {}
        for payment in self.payments:
            for item in payment.items:
                totals[item.expected_class] = totals.get(item.expected_class, Decimal("0")) + (
                    item.amount
                )
        return totals

    @property
    def expected_terms_discount(self) -> Decimal:
        return sum((i.discount for p in self.payments for i in p.items), Decimal("0"))

    @property
    def expected_paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0"))


def generate_seeded_month(
    seed: int = 7,
    year: int = 2024,
    month: int = 3,
    *,
    invoices_per_payment: int = 6,
    payments: int = 4,
    vendor_code: str = "ACME1",
    customer_id: str = "1001",
    unexplained_variance: Decimal | None = None,
    unknown_code: bool = False,
    terms: str = "Net 30",
) -> SeededMonth:
    """Build the month; the fault options apply to the last payment only."""
    rng = random.Random(seed)
    items = []
    for n in range(8):
        price = cents(Decimal(rng.randint(1500, 9000)) / 100)
        items.append(
            SandboxItem(
                item_id=str(300 + n),
                sku=f"SKU-{n + 1:05d}",
                asin="B0"
                + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8)),
                price=price,
                cost=cents(price * Decimal("0.55")),
            )
        )
    invoices: list[SandboxInvoice] = []
    settlements: list[SandboxPayment] = []
    for p in range(payments):
        payment_date = date(year, month, 1) + timedelta(days=7 * p + 6)
        chunk = []
        for j in range(invoices_per_payment):
            number = len(invoices) + 1
            lines = tuple(
                SandboxInvoiceLine(item.asin, item.sku, rng.randint(6, 60), item.price)
                for item in rng.sample(items, 3)
            )
            invoice = SandboxInvoice(
                invoice_number=f"INV-{number:07d}",
                po_number=f"{rng.randint(1, 9)}{rng.choice('ABCDEFGH')}"
                f"{rng.randint(10**5, 10**6 - 1)}",
                vendor_code=vendor_code,
                invoice_date=payment_date - timedelta(days=5 + j % 3),
                lines=lines,
            )
            invoices.append(invoice)
            chunk.append(invoice)
        last = p == payments - 1
        settlements.append(
            settlement_for_invoices(
                chunk,
                payment_number=f"{seed:02d}{year % 100:02d}{month:02d}{p + 1:04d}",
                payment_date=payment_date,
                seed=seed,
                earlier_invoice=invoices[(p - 1) * invoices_per_payment] if p else None,
                resubmitted=p == 1,
                unexplained_variance=unexplained_variance if last else None,
                unknown_code=unknown_code and last,
            )
        )
    result = SeededMonth(vendor_code, customer_id, items, invoices, settlements, terms=terms)
    for index, payment in enumerate(settlements):
        if index % 2 == 0:
            name = f"remittance_{payment.payment_number}.820"
            result.files.append((name, write_820([payment], control_number=index + 1).encode()))
        else:
            name = f"vc_payments_{payment.payment_number}.csv"
            result.files.append((name, write_vc_payments_csv([payment]).encode()))
    return result


def insert_netsuite_rows(conn: duckdb.DuckDBPyConnection, month: SeededMonth) -> None:
    """Write the month's NetSuite items, invoices and invoice lines into the raw tables."""
    warehouse_schema.apply(conn)
    conn.executemany(
        "INSERT OR REPLACE INTO raw.netsuite_items (item_id, sku, asin, price, cost)"
        " VALUES (?, ?, ?, ?, ?)",
        [[i.item_id, i.sku, i.asin, str(i.price), str(i.cost)] for i in month.items],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO raw.netsuite_invoices (invoice_id, tranid, external_id, po_number,"
        " vendor_code, customer_id, trandate, due_date, total, amount_remaining, status, currency)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                month.invoice_id(inv.invoice_number),
                inv.invoice_number,
                f"AMZ-{inv.invoice_number}",
                inv.po_number,
                inv.vendor_code,
                month.customer_id,
                inv.invoice_date,
                month.due_date(inv.invoice_date),
                str(inv.amount),
                str(inv.amount),
                "Open",
                "USD",
            ]
            for inv in month.invoices
        ],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO raw.netsuite_invoice_lines"
        " (invoice_id, line, sku, asin, quantity, rate, amount) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                month.invoice_id(inv.invoice_number),
                n + 1,
                line.sku,
                line.asin,
                line.quantity,
                str(line.unit_cost),
                str(line.amount),
            ]
            for inv in month.invoices
            for n, line in enumerate(inv.lines)
        ],
    )
