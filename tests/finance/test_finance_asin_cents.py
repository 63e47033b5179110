"""marts.asin_profitability to the cent: every pool is split by the largest remainder method.

A hand-written warehouse where naive rounding of each ASIN's share would not tie to the ledger.
Customer 1001 invoices three ASINs for the same value, so its unlinked pools split in thirds;
customer 1002 invoices them 20 / 30 / 50. Every payment ties to its lines.

* T-1, 2024-03-20 (1001): pays INV-T1 (3 x 100.00) and INV-T2 (3 x 20.00); nets a 100.00 co-op
  (33.34 / 33.33 / 33.33), a 10.00 shortage on INV-T2 (3.34 / 3.33 / 3.33), a 1.00 shortage on an
  invoice NetSuite does not know (spread like co-op: 0.34 / 0.33 / 0.33) and a 25.00 provision
  (balance sheet only). 360.00 - 100.00 - 10.00 - 1.00 - 25.00 = 224.00.
* T-2, 2024-03-25 (1001): the shortage reversed (+10.00: -3.34 / -3.33 / -3.33, the mirror of
  the claim) and 50.00 of co-op paid back (-16.67 / -16.67 / -16.66). 60.00.
* T-3, 2024-03-22 (1002): pays INV-T3 (100.00) less a 0.07 quick-pay discount (exact shares
  1.4 / 2.1 / 3.5 cents: the extra cent goes to the largest remainder, C), nets 0.05 co-op
  (1.0 / 1.5 / 2.5 cents: B and C tie on the remainder, the lower asin B wins) and a 0.03
  duplicate billing claim on INV-T3, an X12 line (426 code 19) written into the raw table
  (0.6 / 0.9 / 1.5 cents: C keeps its 1, the 2 left go to B then A; other_deductions).
  99.88 in the file, 99.85 with the claim.
* T-4, 2024-06-01 (1001): pays INV-T5 (40.00, invoiced in January) and nets a 12.34 chargeback;
  1001 has no revenue in the 28 days before, so it stays on 'UNALLOCATED'. 27.66.

Tie rule: largest remainder first, equal remainders to the lowest asin.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_build import DbtRun, run_dbt_build

from vendor_pipelines import warehouse_schema
from vendor_pipelines.finance import load_remittance_bytes

pytestmark = pytest.mark.slow

A, B, C = "B0TEST000A", "B0TEST000B", "B0TEST000C"
CENT = Decimal("0.01")

MONEY_COLUMNS = (
    "revenue_net_cost",
    "coop",
    "promotions",
    "price_protection",
    "damage_allowance",
    "freight_allowance",
    "chargebacks",
    "shortages",
    "price_claims",
    "returns",
    "advertising",
    "terms_discounts",
    "other_deductions",
    "total_deductions",
    "cogs",
    "contribution_margin",
)
DEDUCTION_COLUMNS = MONEY_COLUMNS[1:13]

# Mart column of each deduction class (any other class: other_deductions); balance sheet
# classes and UNKNOWN stay out of the mart.
COLUMN_OF_CLASS = {
    "COOP": "coop",
    "PROMOTION": "promotions",
    "PRICE_PROTECTION": "price_protection",
    "DAMAGE_ALLOWANCE": "damage_allowance",
    "FREIGHT_ALLOWANCE": "freight_allowance",
    "CHARGEBACK": "chargebacks",
    "SHORTAGE": "shortages",
    "SHORTAGE_REVERSAL": "shortages",
    "PRICE_CLAIM": "price_claims",
    "PRICE_CLAIM_REVERSAL": "price_claims",
    "RETURNS": "returns",
    "ADVERTISING": "advertising",
    "TERMS_DISCOUNT": "terms_discounts",
}
OUT_OF_MART = ("PROVISION", "PROVISION_REVERSAL", "TAX_WITHHELD", "PAYMENT_ADJUSTMENT", "UNKNOWN")

INVOICES = [
    # invoice_id, tranid, customer_id, trandate, [(line, asin, quantity, amount)]
    (
        "910001",
        "INV-T1",
        "1001",
        "2024-03-10",
        [(1, A, 10, "100.00"), (2, B, 10, "100.00"), (3, C, 10, "100.00")],
    ),
    (
        "910002",
        "INV-T2",
        "1001",
        "2024-03-12",
        [(1, A, 2, "20.00"), (2, B, 2, "20.00"), (3, C, 2, "20.00")],
    ),
    (
        "910003",
        "INV-T3",
        "1002",
        "2024-03-15",
        [(1, A, 2, "20.00"), (2, B, 3, "30.00"), (3, C, 5, "50.00")],
    ),
    ("910005", "INV-T5", "1001", "2024-01-02", [(1, A, 4, "40.00")]),
]
UNIT_COST = {A: "3.3333", B: "4.0000", C: "5.5000"}  # sub-cent item cost: COGS is rounded

CSV = """Payment Number,Payment Date,Amount in Invoice Currency
T-1,03/20/2024,$224.00
T-2,03/25/2024,$60.00
T-3,03/22/2024,$99.88
T-4,06/01/2024,$27.66

Payment Number,Invoice Number,Transaction Description,Invoice Amount,Terms Discount Taken,\
Amount Paid
T-1,INV-T1,Payments,$300.00,,$300.00
T-1,INV-T2,Payments,$60.00,,$60.00
T-1,6268-5550002222,Co-op,($100.00),,($100.00)
T-1,INV-T2SC,Shortage claim,($10.00),,($10.00)
T-1,INV-X9SC,Shortage claim,($1.00),,($1.00)
T-1,240320_PROVISION_FOR_RECEIVABLES,Provision for to be billed receivable,($25.00),,($25.00)
T-2,INV-T2SCR,Shortage claim reversal,$10.00,,$10.00
T-2,6268-5550003333,Co-op,$50.00,,$50.00
T-3,INV-T3,Payments,$100.00,$0.07,$99.93
T-3,6268-5550004444,Co-op,($0.05),,($0.05)
T-4,INV-T5,Payments,$40.00,,$40.00
T-4,1234567VCBSINV,Chargeback,($12.34),,($12.34)
"""

D = Decimal
# (period_date, asin) -> {column: expected}; columns not named are 0.00.
EXPECTED_DEDUCTIONS = {
    ("2024-03-20", A): {"coop": D("33.34"), "shortages": D("3.68")},  # 3.34 + 0.34
    ("2024-03-20", B): {"coop": D("33.33"), "shortages": D("3.66")},  # 3.33 + 0.33
    ("2024-03-20", C): {"coop": D("33.33"), "shortages": D("3.66")},
    ("2024-03-22", A): {
        "terms_discounts": D("0.01"),
        "coop": D("0.01"),
        "other_deductions": D("0.01"),
    },
    ("2024-03-22", B): {
        "terms_discounts": D("0.02"),
        "coop": D("0.02"),
        "other_deductions": D("0.01"),
    },
    ("2024-03-22", C): {
        "terms_discounts": D("0.04"),
        "coop": D("0.02"),
        "other_deductions": D("0.01"),
    },
    ("2024-03-25", A): {"shortages": D("-3.34"), "coop": D("-16.67")},
    ("2024-03-25", B): {"shortages": D("-3.33"), "coop": D("-16.67")},
    ("2024-03-25", C): {"shortages": D("-3.33"), "coop": D("-16.66")},
    ("2024-06-01", "UNALLOCATED"): {"chargebacks": D("12.34")},
}


def build_warehouse(path: Path) -> None:
    conn = duckdb.connect(str(path))
    warehouse_schema.apply(conn)
    conn.executemany(
        "INSERT INTO raw.netsuite_items (item_id, sku, asin, price, cost) VALUES (?, ?, ?, ?, ?)",
        [(f"I-{asin}", f"SKU-{asin}", asin, "10.0000", cost) for asin, cost in UNIT_COST.items()],
    )
    for invoice_id, tranid, customer, trandate, lines in INVOICES:
        total = sum(D(amount) for *_, amount in lines)
        conn.execute(
            "INSERT INTO raw.netsuite_invoices (invoice_id, tranid, external_id, po_number,"
            " vendor_code, customer_id, trandate, due_date, total, amount_remaining, status,"
            " currency) VALUES (?, ?, ?, ?, 'ACME1', ?, ?, ?, ?, ?, 'Open', 'USD')",
            [
                invoice_id,
                tranid,
                f"AMZ-{tranid}",
                f"PO-{tranid}",
                customer,
                trandate,
                trandate,
                total,
                total,
            ],
        )
        conn.executemany(
            "INSERT INTO raw.netsuite_invoice_lines (invoice_id, line, sku, asin, quantity, rate,"
            " amount) VALUES (?, ?, ?, ?, ?, 10, ?)",
            [
                (invoice_id, line, f"SKU-{asin}", asin, qty, amount)
                for line, asin, qty, amount in lines
            ],
        )
    loaded = load_remittance_bytes(conn, CSV.encode(), "cents.csv")
    assert loaded.status == "loaded"
    # The export has no reason codes: the duplicate billing claim goes in as an 820 ADX line.
    conn.execute(
        "INSERT INTO raw.remittance_lines (file_hash, payment_number, settlement_date, line_no,"
        " record_kind, reference, amount, invoice_amount, discount_amount, withholding_amount,"
        " adjustment_reason, description) VALUES"
        " (?, 'T-3', DATE '2024-03-22', 100, 'ADX_RMR', 'INV-T3', -0.03, -0.03, 0, 0, '19',"
        "  'Duplicate billing')",
        [loaded.file_hash],
    )
    conn.execute(
        "UPDATE raw.remittance_payments SET amount = amount - 0.03 WHERE payment_number = 'T-3'"
    )
    conn.close()


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def mart(path: Path) -> dict[tuple[str, str], dict[str, Decimal]]:
    columns = ", ".join(MONEY_COLUMNS)
    rows = query(
        path,
        f"SELECT strftime(period_date, '%Y-%m-%d'), asin, {columns} FROM marts.asin_profitability",
    )
    return {
        (day, asin): dict(zip(MONEY_COLUMNS, values, strict=True)) for day, asin, *values in rows
    }


@pytest.fixture(scope="module")
def built(module_tmp: Path) -> tuple[Path, DbtRun]:
    warehouse = module_tmp / "cents" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    build_warehouse(warehouse)
    run = run_dbt_build(warehouse, warehouse.parent)
    assert run.returncode == 0, run.output[-3000:]
    assert run.status("asin_profitability") == "success"
    return warehouse, run


def test_money_columns_are_to_the_cent(built: tuple[Path, DbtRun]) -> None:
    warehouse, _ = built
    types = dict(
        query(
            warehouse,
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'marts' AND table_name = 'asin_profitability'",
        )
    )
    assert {column: types[column] for column in MONEY_COLUMNS} == dict.fromkeys(
        MONEY_COLUMNS, "DECIMAL(18,2)"
    )
    rows = mart(warehouse)
    assert rows
    for values in rows.values():
        for value in values.values():
            assert value == value.quantize(CENT)


def test_each_day_and_class_ties_to_the_charges(built: tuple[Path, DbtRun]) -> None:
    warehouse, _ = built
    charged: dict[tuple[str, str], Decimal] = {}
    for day, class_code, amount in query(
        warehouse,
        "SELECT strftime(settlement_date, '%Y-%m-%d'), class_code, sum(amount)"
        " FROM finance.int_settlement_charges GROUP BY ALL",
    ):
        if class_code in OUT_OF_MART:
            continue
        key = (day, COLUMN_OF_CLASS.get(class_code, "other_deductions"))
        charged[key] = charged.get(key, D(0)) - amount  # a cost is the cash netted, negated
    allocated: dict[tuple[str, str], Decimal] = {}
    for (day, _), values in mart(warehouse).items():
        for column in DEDUCTION_COLUMNS:
            if values[column]:
                allocated[(day, column)] = allocated.get((day, column), D(0)) + values[column]
    assert allocated == {key: amount for key, amount in charged.items() if amount}
    # the 25.00 provision is on the ledger and not in the mart; everything else is, to the cent
    assert charged == {
        ("2024-03-20", "coop"): D("100.00"),
        ("2024-03-20", "shortages"): D("11.00"),
        ("2024-03-22", "terms_discounts"): D("0.07"),
        ("2024-03-22", "coop"): D("0.05"),
        ("2024-03-22", "other_deductions"): D("0.03"),
        ("2024-03-25", "shortages"): D("-10.00"),
        ("2024-03-25", "coop"): D("-50.00"),
        ("2024-06-01", "chargebacks"): D("12.34"),
    }


def test_hand_computed_largest_remainder_split(built: tuple[Path, DbtRun]) -> None:
    warehouse, _ = built
    rows = mart(warehouse)
    deductions = {
        key: {column: values[column] for column in DEDUCTION_COLUMNS if values[column]}
        for key, values in rows.items()
    }
    assert {key: value for key, value in deductions.items() if value} == EXPECTED_DEDUCTIONS
    # the reversal mirrors the claim it reverses: per ASIN, INV-T2's shortage nets to zero
    for asin in (A, B, C):
        linked_claim = rows[("2024-03-20", asin)]["shortages"] - (
            D("0.34") if asin == A else D("0.33")
        )
        assert linked_claim + rows[("2024-03-25", asin)]["shortages"] == 0


def test_totals_and_margin_add_up_to_the_cent(built: tuple[Path, DbtRun]) -> None:
    warehouse, _ = built
    rows = mart(warehouse)
    for values in rows.values():
        assert values["total_deductions"] == sum(values[c] for c in DEDUCTION_COLUMNS)
        assert values["contribution_margin"] == (
            values["revenue_net_cost"] - values["total_deductions"] - values["cogs"]
        )
    # revenue on its invoice day; COGS of 10 x 3.3333 = 33.333 rounds to 33.33
    assert rows[("2024-03-10", A)]["revenue_net_cost"] == D("100.00")
    assert rows[("2024-03-10", A)]["cogs"] == D("33.33")
    assert rows[("2024-03-10", A)]["contribution_margin"] == D("66.67")
    assert rows[("2024-03-20", A)]["contribution_margin"] == D("-37.02")  # -(33.34 + 3.68)
    ((margin_pct,),) = query(
        warehouse,
        "SELECT contribution_margin_pct FROM marts.asin_profitability"
        f" WHERE asin = '{A}' AND period_date = DATE '2024-03-10'",
    )
    assert margin_pct == pytest.approx(0.6667)


def test_rebuilding_a_day_changes_nothing(built: tuple[Path, DbtRun], module_tmp: Path) -> None:
    warehouse, _ = built
    before = mart(warehouse)
    run = run_dbt_build(warehouse, module_tmp / "cents_rerun", {"settlement_date": "2024-03-22"})
    assert run.returncode == 0, run.output[-3000:]
    assert mart(warehouse) == before
