# ruff: noqa: E501 -- CSV rows are data, kept one per line as a file has them
"""The month-end close pack over a warehouse built by hand, read back with openpyxl.

Four Amazon payments, amounts hand-computed (the first is `remittance_samples`' 820):

    PAY-77 2026-11-02 USD 1307.66  posted (payment and journal)  1500.00 gross - 192.34 charges
    PAY-80 2026-11-20 USD  750.00  held: INV-9999 is not in NetSuite (50.00 unapplied, -50.00
                                   unexplained variance), so nothing is posted
    PAY-90 2026-11-25 EUR  375.00  400.00 gross - 25.00 co-op; the payment posted, its journal
                                   was refused by NetSuite
    PAY-78 2026-12-01 USD  345.00  posted: INV-5004 300.00 and the reversal of November's
                                   shortage claim INV-5001SC (+45.00)

So the November pack still shows the shortage claim open (45.00, aged as of 2026-11-30) that
today's `finance.open_deductions` no longer lists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import openpyxl
import pytest
from dbt_build import run_dbt_build, start_dbt_build
from remittance_samples import X12_820

from vendor_pipelines import warehouse_schema
from vendor_pipelines.deployment.topology import environment
from vendor_pipelines.exceptions.store import Detection, record_detections
from vendor_pipelines.finance import load_remittance_bytes
from vendor_pipelines.finance.close_pack import (
    AGING_BUCKETS,
    ClosePack,
    build_close_pack,
    money_format,
    open_warehouse,
)
from vendor_pipelines.finance.detections import settlement_problems
from vendor_pipelines.finance.netsuite_bodies import journal_external_id, payment_external_id
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL, PAYMENT_CHANNEL
from vendor_pipelines.settings import load_settings
from vendor_pipelines.submissions.ledger import (
    Outcome,
    record_outcomes,
    record_pending,
)

pytestmark = pytest.mark.slow

CLI = Path(sys.executable).with_name("vendor-pipelines")
CENT = Decimal("0.01")
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
LOADED_AT = datetime(2026, 12, 1, 18, tzinfo=UTC)

LINE_HEADER = (
    "Payment Number,Invoice Number,Invoice Date,Transaction type,Transaction Description,"
    "Reference Details,Original Invoice Number,Invoice Amount,Invoice Currency,"
    "Withholding Amount,Terms Discount Taken,Amount Paid,Remaining Amount"
)


def vc_export(number: str, day: str, currency: str, total: str, lines: list[str]) -> str:
    """A Vendor Central payments export, stacked: the payment header, then its lines."""
    return (
        "Remittance payments\n\n"
        "Payment Number,Payment Date,Invoice Currency,Amount in Invoice Currency,Payment Currency,"
        "Amount in Payment Currency,Exchange Rate,Payment Type,Payment Status,Payment Voided Reason\n"
        f"{number},{day},{currency},{total},{currency},{total},1,ACH,Paid,\n\n"
        + LINE_HEADER
        + "\n"
        + "\n".join(lines)
        + "\n"
    )


HELD = vc_export(
    "PAY-80",
    "11/20/2026",
    "USD",
    "750.00",
    [
        "PAY-80,INV-5003,11/01/2026,Invoice,Payments,PO-3,,700.00,USD,0,0,700.00,0",
        "PAY-80,INV-9999,11/01/2026,Invoice,Payments,PO-9,,50.00,USD,0,0,50.00,0",
    ],
)
IN_EUROS = vc_export(
    "PAY-90",
    "11/25/2026",
    "EUR",
    "375.00",
    [
        "PAY-90,INV-6001,11/02/2026,Invoice,Payments,PO-6,,400.00,EUR,0,0,400.00,0",
        "PAY-90,6268-9999999999,11/20/2026,Others,Co-op,,,-25.00,EUR,0,0,-25.00,0",
    ],
)
DECEMBER_PAYMENT = vc_export(
    "PAY-78",
    "12/01/2026",
    "USD",
    "345.00",
    [
        "PAY-78,INV-5004,11/05/2026,Invoice,Payments,PO-4,,300.00,USD,0,0,300.00,0",
        "PAY-78,INV-5001SCR,11/30/2026,Invoice,Shortage claim reversal,,INV-5001,45.00,USD,0,0,45.00,0",
    ],
)
INVOICES = [
    # invoice_id, tranid, vendor code, customer, invoice date, due date, total, currency
    ("4999", "INV-4999", "ACME1", "77", "2026-09-01", "2026-10-01", "800.00", "USD"),
    ("5001", "INV-5001", "ACME1", "77", "2026-10-01", "2026-10-31", "1000.00", "USD"),
    ("5002", "INV-5002", "ACME1", "77", "2026-10-01", "2026-10-31", "500.00", "USD"),
    ("5003", "INV-5003", "ACME1", "77", "2026-11-01", "2026-12-01", "700.00", "USD"),
    ("5004", "INV-5004", "ACME1", "77", "2026-11-05", "2026-12-05", "300.00", "USD"),
    ("6001", "INV-6001", "ACMEDE", "78", "2026-11-02", "2026-12-02", "400.00", "EUR"),
]


@dataclass
class Warehouse:
    path: Path
    root: Path
    as_of_november: Path  # a copy whose open_deductions view dbt evaluated as of 2026-11-30

    def query(self, sql: str, params: list | None = None, path: Path | None = None) -> list:
        with duckdb.connect(str(path or self.path), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    def copy(self, name: str) -> Path:
        (self.root / name).mkdir()
        return Path(shutil.copy(self.path, self.root / name / "warehouse.duckdb"))


def _post(conn: duckdb.DuckDBPyConnection, channel: str, key: str, status: str) -> None:
    """What finance/netsuite_postings leaves in the ledger once NetSuite answered."""
    record_pending(conn, channel, [(key, "digest")])
    record_outcomes(conn, channel, [Outcome(key, status, external_ref="1")])


def _dbt_run_open_deductions_as_of(warehouse: Path, day: str) -> None:
    work = warehouse.parent
    process = start_dbt_build(
        warehouse, work, {"settlement_date": day}, command=("run", "--select", "open_deductions")
    )
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output[-3000:]


@pytest.fixture(scope="module")
def warehouse(module_tmp: Path) -> Warehouse:
    root = module_tmp / "close"
    (root / "built").mkdir(parents=True)
    path = root / "built" / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        warehouse_schema.apply(conn)
        conn.executemany(
            "INSERT INTO raw.netsuite_invoices (invoice_id, tranid, external_id, po_number,"
            " vendor_code, customer_id, trandate, due_date, total, amount_remaining, status,"
            " currency) VALUES (?, ?, 'AMZ-' || ?, 'PO', ?, ?, ?, ?, ?, 0, 'Paid In Full', ?)",
            [(i, t, t, v, c, d, due, total, cur) for i, t, v, c, d, due, total, cur in INVOICES],
        )
        for name, content in (
            ("pay.820", X12_820),
            ("held.csv", HELD),
            ("euros.csv", IN_EUROS),
            ("december.csv", DECEMBER_PAYMENT),
        ):
            assert load_remittance_bytes(conn, content.encode(), name, now=LOADED_AT).status == (
                "loaded"
            )
    run = run_dbt_build(path, root / "built")  # every day, as a full build does
    assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(path)) as conn:
        # The exceptions the dbt step records for the two months, an operations exception and
        # a finance one already resolved (neither is in the pack).
        query, params = settlement_problems(NOVEMBER, date(2026, 12, 31))
        record_detections(
            conn, "finance/settlements:2026-11-01..2026-12-31", query=query, params=params
        )
        record_detections(
            conn, "orders/test", detections=[Detection("quarantined_payload", "q|1", "bad PO")]
        )
        failed = [Detection("posting_failed", "journalEntry|PAY-0", "refused")]
        record_detections(conn, "finance/netsuite_postings:test", detections=failed)
        record_detections(conn, "finance/netsuite_postings:test", detections=[])
        for payment in ("PAY-77", "PAY-78"):
            _post(conn, PAYMENT_CHANNEL, payment_external_id(payment), "succeeded")
            _post(conn, JOURNAL_CHANNEL, journal_external_id(payment), "succeeded")
        _post(conn, PAYMENT_CHANNEL, payment_external_id("PAY-90"), "succeeded")
        _post(conn, JOURNAL_CHANNEL, journal_external_id("PAY-90"), "failed")
    (root / "as_of").mkdir()
    as_of = Path(shutil.copy(path, root / "as_of" / "warehouse.duckdb"))
    _dbt_run_open_deductions_as_of(as_of, "2026-11-30")
    return Warehouse(path, root, as_of)


@pytest.fixture(scope="module")
def packs(warehouse: Warehouse) -> dict[str, ClosePack]:
    out = warehouse.root / "packs"
    with open_warehouse(warehouse.path) as conn:
        return {
            "november": build_close_pack(conn, NOVEMBER, out),
            "december": build_close_pack(conn, DECEMBER, out),
            "october": build_close_pack(conn, date(2026, 10, 1), out),
        }


# --- reading the workbook back -------------------------------------------------------------


def cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def table(pack: ClosePack, title: str) -> list[dict[str, Any]]:
    """A sheet's data rows (up to the blank row before its note) as header -> cell."""
    sheet = openpyxl.load_workbook(pack.workbook)[title]
    rows = sheet.iter_rows()
    header = [cell.value for cell in next(rows)]
    found = []
    for cells in rows:
        if all(cell.value is None for cell in cells):
            break
        found.append({name: cell for name, cell in zip(header, cells, strict=False) if name})
    return found


def total(rows: list[dict[str, Any]], column: str, **where: str) -> Decimal:
    return sum(
        (
            cents(row[column].value)
            for row in rows
            if all(row[key].value == value for key, value in where.items())
        ),
        Decimal("0.00"),
    )


def by_currency(rows: list[tuple]) -> dict[str, Decimal]:
    return {currency: cents(amount) for currency, amount in rows}


NOVEMBER_WINDOW = "settlement_date between date '2026-11-01' and date '2026-11-30'"


# --- every sheet ties to the warehouse -----------------------------------------------------


def test_the_summary_ties_to_the_warehouse(warehouse: Warehouse, packs) -> None:
    rows = table(packs["november"], "summary")

    def line(section: str, item: Any) -> dict[str, Any]:
        (found,) = [r for r in rows if r["section"].value == section and r["item"].value == item]
        return {
            "count": found["count"].value,
            "USD": cents(found["amount usd"].value),
            "EUR": cents(found["amount eur"].value),
        }

    paid = by_currency(
        warehouse.query(
            "select currency, sum(paid_amount) from finance.settlement_reconciliation"
            f" where grain = 'payment' and {NOVEMBER_WINDOW} group by all"
        )
    )
    assert paid == {"USD": Decimal("2057.66"), "EUR": Decimal("375.00")}
    assert line("cash received", "Amazon payments") == {"count": 3, **paid}

    ((invoices, usd, eur),) = warehouse.query(
        "select count(distinct invoice_id), sum(apply_amount) filter (where s.currency = 'USD'),"
        " sum(apply_amount) filter (where s.currency = 'EUR') from finance.cash_application c"
        " join finance.int_settlements s using (file_hash, payment_number)"
        f" where apply_amount <> 0 and c.{NOVEMBER_WINDOW}"
    )
    assert (invoices, usd, eur) == (4, Decimal("2200.00"), Decimal("400.00"))
    assert line("invoices settled", "gross applied to invoices") == {
        "count": 4,
        "USD": usd,
        "EUR": eur,
    }

    # Deductions by class: each class from the charges, and their total from the reconciliation
    # (discounts + identified deductions + timing items + unidentified), a different route.
    charges = warehouse.query(
        "select class_code, s.currency, -sum(amount) from finance.int_settlement_charges c"
        " join finance.int_settlements s using (file_hash, payment_number)"
        f" where c.{NOVEMBER_WINDOW} group by all"
    )
    for class_code, currency, amount in charges:
        assert line("deductions by class", class_code)[currency] == amount
    deducted = by_currency(
        warehouse.query(
            "select currency, sum(terms_discounts + identified_deductions + timing_items"
            " + unidentified_deductions) from finance.settlement_reconciliation"
            f" where grain = 'payment' and {NOVEMBER_WINDOW} group by all"
        )
    )
    assert deducted == {"USD": Decimal("192.34"), "EUR": Decimal("25.00")}
    assert line("deductions by class", "total deducted") == {"count": None, **deducted}
    shortage = next(r for r in rows if r["item"].value == "SHORTAGE")
    assert shortage["detail"].value == "1205 Amazon deductions in dispute"

    variance = by_currency(
        warehouse.query(
            "select currency, sum(unexplained_variance) from finance.settlement_reconciliation"
            f" where grain = 'payment' and {NOVEMBER_WINDOW} group by all"
        )
    )
    assert line("unexplained variance", "total") == {"count": 1, **variance}
    assert variance["USD"] == Decimal("-50.00")
    by_day = [r for r in rows if r["section"].value == "unexplained variance by day"]
    assert [(r["item"].value.date(), cents(r["amount usd"].value)) for r in by_day] == [
        (date(2026, 11, 2), Decimal("0.00")),
        (date(2026, 11, 20), Decimal("-50.00")),
        (date(2026, 11, 25), Decimal("0.00")),
    ]

    aging = table(packs["november"], "open deductions aging")
    section = "open deductions as of 2026-11-30"
    buckets = [r for r in rows if r["section"].value == section and r["item"].value != "total open"]
    assert [r["item"].value for r in buckets] == list(AGING_BUCKETS)
    for bucket in buckets:
        for currency in ("USD", "EUR"):
            assert cents(bucket[f"amount {currency.lower()}"].value) == total(
                aging, "open amount", **{"aging bucket": bucket["item"].value, "currency": currency}
            )
    assert line(section, "total open") == {
        "count": 5,
        "USD": Decimal("187.34"),
        "EUR": Decimal("25.00"),
    }

    exceptions = warehouse.query(
        "select exception_type, count(*) from ops.exceptions"
        " where owner = 'finance' and resolved_at is null group by all order by 1"
    )
    assert exceptions == [("unapplied_cash", 1), ("unexplained_variance", 1)]
    listed = [
        (r["item"].value, r["count"].value)
        for r in rows
        if r["section"].value == "open finance exceptions (now)"
    ]
    assert listed == exceptions


def test_payment_line_and_gl_sheets_tie_to_the_warehouse(warehouse: Warehouse, packs) -> None:
    pack = packs["november"]
    reconciliation = table(pack, "settlement reconciliation")
    expected = warehouse.query(
        "select settlement_id, currency, paid_amount, gross_applied, unexplained_variance"
        " from finance.settlement_reconciliation"
        f" where grain = 'payment' and {NOVEMBER_WINDOW} order by settlement_date, settlement_id"
    )
    assert [
        (
            r["payment number"].value,
            r["currency"].value,
            cents(r["paid amount"].value),
            cents(r["gross applied"].value),
            cents(r["unexplained variance"].value),
        )
        for r in reconciliation
    ] == expected
    held = {
        r["payment number"].value: r["customer payment in netsuite"].value for r in reconciliation
    }
    assert held == {"PAY-77": "succeeded", "PAY-80": "not sent", "PAY-90": "succeeded"}

    cash = table(pack, "cash application")
    ((lines, cash_amount, applied),) = warehouse.query(
        "select count(*), sum(cash_amount), sum(apply_amount) from finance.cash_application"
        f" where {NOVEMBER_WINDOW}"
    )
    assert len(cash) == lines == 13
    assert total(cash, "cash amount") == cash_amount == Decimal("2432.66")
    assert total(cash, "apply amount") == applied == Decimal("2600.00")

    gl = table(pack, "GL postings")
    for currency, debit, credit, accounts in warehouse.query(
        "select currency, sum(debit), sum(credit),"
        " count(distinct (coalesce(gl_account_number, ''), settlement_id))"
        f" from finance.gl_postings where {NOVEMBER_WINDOW} group by all"
    ):
        assert total(gl, "debit", currency=currency) == debit
        assert total(gl, "credit", currency=currency) == credit
        assert sum(1 for r in gl if r["currency"].value == currency) == accounts
    (clearing,) = [
        r
        for r in gl
        if (r["gl account number"].value, r["payment number"].value) == ("1010", "PAY-77")
    ]
    assert cents(clearing["credit"].value) == Decimal("192.34")
    assert clearing["journal in netsuite"].value == "succeeded"

    unapplied = table(pack, "unapplied cash")
    ((unapplied_cash,),) = warehouse.query(
        "select sum(unapplied_cash) from finance.settlement_reconciliation"
        f" where grain = 'payment' and {NOVEMBER_WINDOW}"
    )
    assert [r["reference"].value for r in unapplied] == ["INV-9999"]
    assert total(unapplied, "cash amount") == unapplied_cash == Decimal("50.00")


def test_aging_is_the_open_deductions_rule_as_of_the_month_end(warehouse: Warehouse, packs) -> None:
    columns = (
        "deduction_key, open_amount, aging_bucket, dispute_deadline, days_to_deadline,"
        " days_outstanding, owner, gl_account_number, clock_basis"
    )
    as_of_november = warehouse.query(
        f"select {columns} from finance.open_deductions order by deduction_key",
        path=warehouse.as_of_november,
    )
    aging = table(packs["november"], "open deductions aging")
    assert (
        sorted(
            (
                r["deduction key"].value,
                cents(r["open amount"].value),
                r["aging bucket"].value,
                r["dispute deadline"].value.date() if r["dispute deadline"].value else None,
                r["days to deadline"].value,
                r["days outstanding"].value,
                r["owner"].value,
                r["gl account number"].value,
                r["clock basis"].value,
            )
            for r in aging
        )
        == as_of_november
    )
    assert {r["as of date"].value.date() for r in aging} == {date(2026, 11, 30)}
    # Reversed in December: open in November's pack, gone from today's view and December's pack.
    shortage = next(r for r in aging if r["deduction key"].value == "SHORTAGE:INV-5001SC")
    assert (cents(shortage["open amount"].value), shortage["aging bucket"].value) == (
        Decimal("45.00"),
        "0-30",
    )
    assert shortage["dispute deadline"].value.date() == date(2026, 11, 30)
    assert shortage["owner"].value == "operations"
    today = {key for (key,) in warehouse.query("select deduction_key from finance.open_deductions")}
    assert "SHORTAGE:INV-5001SC" not in today
    december = {r["deduction key"].value for r in table(packs["december"], "open deductions aging")}
    assert "SHORTAGE:INV-5001SC" not in december
    assert december == today


def test_the_clearing_account_rolls_forward_from_what_netsuite_accepted(packs) -> None:
    def lines(pack: ClosePack) -> list[tuple]:
        return [
            (r["count"].value, cents(r["amount usd"].value), cents(r["amount eur"].value))
            for r in table(pack, "clearing 1010 roll-forward")
        ]

    assert lines(packs["november"]) == [
        (None, Decimal("0.00"), Decimal("0.00")),  # opening
        (2, Decimal("1500.00"), Decimal("400.00")),  # PAY-77 and PAY-90 deposit their gross
        (1, Decimal("-192.34"), Decimal("0.00")),  # only PAY-77's journal is in NetSuite
        (None, Decimal("1307.66"), Decimal("400.00")),  # closing
        (3, Decimal("2057.66"), Decimal("375.00")),  # cash received
        (1, Decimal("750.00"), Decimal("0.00")),  # PAY-80 is held
        # USD ties; EUR shows the co-op the refused journal did not take off clearing
        (None, Decimal("0.00"), Decimal("25.00")),
    ]
    assert lines(packs["december"]) == [
        (None, Decimal("1307.66"), Decimal("400.00")),  # = November's closing balance
        (1, Decimal("300.00"), Decimal("0.00")),
        (1, Decimal("45.00"), Decimal("0.00")),  # a net pay-back comes into clearing
        (None, Decimal("1652.66"), Decimal("400.00")),
        (1, Decimal("345.00"), Decimal("0.00")),
        (0, Decimal("0.00"), Decimal("0.00")),
        (None, Decimal("0.00"), Decimal("0.00")),
    ]
    sheet = openpyxl.load_workbook(packs["november"].workbook)["clearing 1010 roll-forward"]
    note = sheet.cell(row=len(lines(packs["november"])) + 3, column=1).value
    assert note.startswith("Rule: account 1010") and "succeeded" in note and "tranDate" in note


# --- the workbook itself -------------------------------------------------------------------


def test_money_is_numbers_in_its_currency_dates_are_dates_and_three_charts(packs) -> None:
    pack = packs["november"]
    workbook = openpyxl.load_workbook(pack.workbook)
    assert (
        workbook.sheetnames
        == [sheet.title for sheet in pack.data.sheets]
        == [
            "summary",
            "settlement reconciliation",
            "cash application",
            "open deductions aging",
            "GL postings",
            "unapplied cash",
            "clearing 1010 roll-forward",
            "disputes",
            "dispute recovery",
            "dispute root causes",
        ]
    )
    checked = 0
    for sheet in pack.data.sheets:
        ws = workbook[sheet.title]
        assert ws.freeze_panes == "A2"
        assert all(cell.font.b for cell in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
        for r, row in enumerate(ws.iter_rows(min_row=2, max_row=len(sheet.rows) + 1), start=0):
            for c, cell in enumerate(row):
                kind, value = sheet.kinds[c], sheet.rows[r][c]
                if value is None:
                    continue
                if kind == "money":
                    currency = (
                        sheet.column_currencies.get(c) or sheet.rows[r][sheet.currency_column]
                    )
                    assert isinstance(cell.value, int | float), (sheet.title, cell.coordinate)
                    assert cell.number_format == money_format(currency)
                    assert cents(cell.value) == value
                    checked += 1
                elif kind == "date":
                    assert cell.is_date and cell.value.date() == value
                    assert cell.number_format == "yyyy-mm-dd"
    assert checked > 100
    assert money_format("EUR") == "[$EUR] #,##0.00;-[$EUR] #,##0.00"

    summary = workbook["summary"]
    charts = summary._charts
    assert len(charts) == 3

    def cells(reference: str) -> list[Any]:
        sheet_name, area = reference.rsplit("!", 1)
        found = workbook[sheet_name.strip("'")][area.replace("$", "")]
        return [row[0].value for row in found]

    def title(chart: Any) -> str:
        return "".join(run.t for paragraph in chart.title.tx.rich.p for run in paragraph.r)

    def series(chart: Any, currency: str) -> tuple[list[Any], list[Any]]:
        """Categories and values of the chart's series of one currency (cells it points at)."""
        (found,) = [s for s in chart.series if s.tx.v == currency]
        category = found.cat.numRef or found.cat.strRef
        return cells(category.f), cells(found.val.numRef.f)

    mix, variance, aging = summary._charts
    assert [title(chart) for chart in charts] == [
        "Deduction mix by class",
        "Unexplained variance per settlement day",
        "Open deductions by aging bucket",
    ]
    assert [chart.barDir for chart in charts] == ["bar", "col", "col"]
    classes, deducted = series(mix, "USD")
    assert dict(zip(classes, map(cents, deducted), strict=True))["SHORTAGE"] == Decimal("45.00")
    assert "TERMS_DISCOUNT" in classes
    days, amounts = series(variance, "USD")
    assert [(d.date(), cents(a)) for d, a in zip(days, amounts, strict=True)] == [
        (date(2026, 11, 2), Decimal("0.00")),
        (date(2026, 11, 20), Decimal("-50.00")),
        (date(2026, 11, 25), Decimal("0.00")),
    ]
    buckets, open_eur = series(aging, "EUR")
    assert buckets == list(AGING_BUCKETS)
    assert sum(map(cents, open_eur)) == Decimal("25.00")


def test_an_empty_month_is_still_a_whole_pack(packs) -> None:
    pack = packs["october"]
    assert pack.row_counts["settlement_reconciliation"] == 0
    assert pack.row_counts["cash_application"] == 0
    workbook = openpyxl.load_workbook(pack.workbook)
    assert len(workbook["summary"]._charts) == 3
    assert sorted(path.name for path in pack.csv_files.values()) == sorted(
        f"close-2026-10-{slug}.csv" for slug in pack.row_counts
    )
    header = (pack.csv_files["cash_application"]).read_text().splitlines()
    assert header[0].startswith("settlement_date,payment_number,line_no")


def test_the_csvs_carry_the_sheets_to_the_cent(packs) -> None:
    pack = packs["november"]
    for sheet in pack.data.sheets:
        text = pack.csv_files[sheet.slug].read_text(encoding="utf-8").splitlines()
        assert text[0].split(",") == list(sheet.columns)
        assert len(text) == len(sheet.rows) + 1
    reconciliation = pack.csv_files["settlement_reconciliation"].read_text().splitlines()
    assert "PAY-77" in reconciliation[1] and ",1307.66," in reconciliation[1]
    assert "2026-11-02" in reconciliation[1]


# --- the command and the asset -------------------------------------------------------------


def test_the_command_writes_the_pack_beside_the_warehouse(warehouse: Warehouse) -> None:
    copy = warehouse.copy("cli")
    env = {**os.environ, "DUCKDB_PATH": str(copy)}
    result = subprocess.run(
        [str(CLI), "close", "--month", "2026-11"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=copy.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    folder = copy.parent / "close"
    written = sorted(path.name for path in folder.iterdir())
    assert "close-2026-11.xlsx" in written and len(written) == 11
    assert str(folder / "close-2026-11.xlsx") in result.stdout
    workbook = openpyxl.load_workbook(folder / "close-2026-11.xlsx")
    assert len(workbook["summary"]._charts) == 3

    elsewhere = warehouse.root / "elsewhere"
    result = subprocess.run(
        [str(CLI), "close", "--month", "2026-12", "--out", str(elsewhere)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "close-2026-12.xlsx").is_file()

    missing = {**env, "DUCKDB_PATH": str(warehouse.root / "nowhere" / "warehouse.duckdb")}
    for args, environ, code in (
        (["--month", "2026-11"], missing, 1),
        (["--month", "November"], env, 2),
    ):
        result = subprocess.run(
            [str(CLI), "close", *args], capture_output=True, text=True, timeout=120, env=environ
        )
        assert result.returncode == code
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


def test_the_asset_materializes_one_month(warehouse: Warehouse) -> None:
    copy = warehouse.copy("asset")
    with environment({"DUCKDB_PATH": str(copy)}):
        from vendor_pipelines.defs.finance.close_pack import close_pack
        from vendor_pipelines.defs.resources import resources

        result = dg.materialize(
            [close_pack],
            partition_key="2026-11-01",
            resources=resources().resources,
            instance=dg.DagsterInstance.ephemeral(),
        )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    materialization = event.step_materialization_data.materialization
    assert materialization.partition == "2026-11-01"
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert Path(metadata["workbook"]) == copy.parent / "close" / "close-2026-11.xlsx"
    assert Path(metadata["workbook"]).is_file()
    assert all(Path(path).is_file() for path in metadata["csv_files"].values())
    assert metadata["cash_received_usd"] == pytest.approx(2057.66)
    assert metadata["cash_received_eur"] == pytest.approx(375.00)
    assert metadata["unexplained_variance_usd"] == pytest.approx(-50.00)
    assert metadata["clearing_closing_balance_usd"] == pytest.approx(1307.66)
    assert metadata["payments_received"] == 3
    assert metadata["open_finance_exceptions"] == 2
    assert metadata["rows_settlement_reconciliation"] == 3
    assert metadata["rows_cash_application"] == 13
    # columns per currency in code order (EUR, USD); labels escaped for markdown
    assert (
        "| SHORTAGE | 1205 Amazon deductions in dispute | 0.00 | 45.00 |"
        in metadata["deduction_mix"]
    )
    assert "| 2026-11-20 | 0.00 | -50.00 |" in metadata["unexplained_variance_by_day"]
    assert "| 0\\-30 | 5 | 25.00 | 187.34 |" in metadata["open_deductions_by_aging_bucket"]


def test_the_last_complete_month_is_packed_after_each_settlement_of_its_days() -> None:
    from vendor_pipelines.definitions import defs
    from vendor_pipelines.defs.finance.close_pack import CLOSE_PACK

    finance_time = ZoneInfo(load_settings().finance_timezone)
    definitions, selection = defs(), dg.AssetSelection.assets(CLOSE_PACK)
    with dg.instance_for_test() as instance:
        cursor = None

        def settle(key: list[str], day: str, at: datetime) -> set[str]:
            nonlocal cursor
            if day:
                instance.report_runless_asset_event(
                    dg.AssetMaterialization(dg.AssetKey(key), partition=day)
                )
            result = dg.evaluate_automation_conditions(
                defs=definitions,
                instance=instance,
                asset_selection=selection,
                evaluation_time=at,
                cursor=cursor,
            )
            cursor = result.cursor
            return set(result.get_requested_partitions(CLOSE_PACK))

        first = datetime(2026, 12, 1, 3, tzinfo=finance_time)
        assert settle([], "", first) == set()  # nothing settled yet
        # The nightly run settles November's last day on the 1st: November is packed, once.
        assert settle(["finance", "settlement_reconciliation"], "2026-11-30", first) == {
            "2026-11-01"
        }
        assert settle([], "", first) == set()
        # December is not over: its days do not pack it.
        assert settle(["finance", "gl_postings"], "2026-12-01", first) == set()
        # A held November payment posted a week later packs November again.
        later = datetime(2026, 12, 8, 3, tzinfo=finance_time)
        assert settle(["finance", "netsuite_postings"], "2026-11-12", later) == {"2026-11-01"}
