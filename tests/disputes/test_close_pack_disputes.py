"""The close pack's disputes: cases open at month end, recovery figures and root causes, read
back with openpyxl from a pack built on a scratch warehouse.

The finance layer is the project's own models rendered as views over an empty warehouse
(`dbt_sql.create_model_views`). The cases are rows written by hand: `render_model` of
`dispute_cases` is replaced by a relation over them evaluated as of the day the pack asks for
(so the as-of wiring is what is tested), while `dispute_recovery` and `dispute_root_causes` are
the real models, rendered over that relation. A last test renders the real dispute_cases too.

May 2026 (month end 2026-05-31), cases claimed:

    SC-A  05-03  disputable  deadline 06-02  25.00   open at month end, 2 days left: error
    SC-B  05-04  submitted   deadline 06-20  10.00   open (disputed)
    PC-C  05-05  valid       deadline 06-04   1.50   open (accepted, still on 1205)
    CB-E  05-06  disputable  deadline 06-05   5.00   open, 5 days left: warn
    SC-D  04-10  won (05-20) deadline 05-30   8.00   decided: not on the open list
    SC-F  06-02  disputable  deadline 07-15   7.00   after the month: not in May's pack
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.disputes.detections import dispute_deadline_problems
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.finance import close_pack
from vendor_pipelines.finance.close_pack import build_close_pack, money_format, open_warehouse
from vendor_pipelines.finance.dbt_sql import create_model_views, load_seeds, render_model
from vendor_pipelines.finance.dispute_deadlines import ERROR_DAYS
from vendor_pipelines.finance.publish import DISPUTE_RELATIONS, publish_analytics

MAY, MAY_END = date(2026, 5, 1), date(2026, 5, 31)
FINANCE_MODELS = (
    "stg_remittance_payments",
    "stg_remittance_lines",
    "stg_netsuite_invoices",
    "stg_netsuite_invoice_lines",
    "int_remittance_lines_classified",
    "int_settlement_charges",
    "int_settlements",
    "cash_application",
    "gl_postings",
    "settlement_reconciliation",
)
DISPUTE_INPUTS = (
    "int_dispute_claim_lines",
    "int_dispute_cartons",
    "int_dispute_shipments",
    "int_dispute_shipment_items",
    "int_dispute_po_costs",
)

# case_id, class, status, judgement, claimed_on, deadline, claimed, recovered, decided_on,
# root cause, units, submitted
CASES = [
    ("SC-A", "SHORTAGE", "disputable", "disputable", "2026-05-03", "2026-06-02", "25.00", "0",
     None, None, 2, None),
    ("SC-B", "SHORTAGE", "submitted", "disputable", "2026-05-04", "2026-06-20", "10.00", "0",
     None, None, 1, "2026-05-12"),
    ("PC-C", "PRICE_CLAIM", "valid", "valid", "2026-05-05", "2026-06-04", "1.50", "0", None,
     "invoiced_above_po_cost", 4, None),
    ("CB-E", "CHARGEBACK", "disputable", "disputable", "2026-05-06", "2026-06-05", "5.00", "0",
     None, None, None, None),
    ("SC-D", "SHORTAGE", "won", "disputable", "2026-04-10", "2026-05-30", "8.00", "8.00",
     "2026-05-20", None, 1, "2026-05-02"),
    ("SC-F", "SHORTAGE", "disputable", "disputable", "2026-06-02", "2026-07-15", "7.00", "0",
     None, None, 1, None),
]  # fmt: skip


def _cases_table(conn: duckdb.DuckDBPyConnection) -> None:
    """The cases with the contract's columns, in a schema of their own (`scratch`)."""
    conn.execute("create schema scratch")
    conn.execute(
        """create table scratch.case_rows (
               case_id varchar, case_class varchar, chargeback_type varchar, claim_key varchar,
               claim_reference varchar, invoice_number varchar, po_number varchar,
               vendor_code varchar, customer_id varchar, currency varchar, asin varchar,
               claimed_units integer, claimed_amount decimal(18, 2),
               recovered_amount decimal(18, 2), open_amount decimal(18, 2), claimed_on date,
               invoice_date date, invoice_due_date date, window_basis varchar,
               dispute_deadline date, days_left integer, judgement varchar,
               judgement_reason varchar, root_cause varchar, submitted_at timestamptz,
               submitted_by varchar, status varchar, decided_on date, as_of_date date)"""
    )
    conn.executemany(
        """insert into scratch.case_rows values (?, ?, ?, ?, ?, ?, ?, 'ACME1', '77', 'USD',
               'B0TEST0001', ?, ?, ?, ?, ?, null, null, ?, ?, null, ?, ?, ?, ?, ?, ?, ?, null)""",
        [
            (
                case_id,
                case_class,
                "ASN_ACCURACY" if case_class == "CHARGEBACK" else None,
                case_id[3:],
                f"INV-{case_id}SC",
                f"INV-{case_id}",
                f"PO-{case_id}",
                units,
                Decimal(claimed),
                Decimal(recovered),
                Decimal(claimed) - Decimal(recovered),
                date.fromisoformat(claimed_on),
                "notification" if case_class == "CHARGEBACK" else "invoice_due_date",
                date.fromisoformat(deadline),
                judgement,
                f"Judged {judgement} from our records for {case_id}.",
                root_cause,
                datetime.fromisoformat(submitted).replace(tzinfo=UTC) if submitted else None,
                "finance@example.com" if submitted else None,
                status,
                date.fromisoformat(decided) if decided else None,
            )
            for (
                case_id,
                case_class,
                status,
                judgement,
                claimed_on,
                deadline,
                claimed,
                recovered,
                decided,
                root_cause,
                units,
                submitted,
            ) in CASES
        ],
    )
    # Today's view, as dbt would leave it: what the exception step reads.
    conn.execute("create schema if not exists finance")
    conn.execute("create view finance.dispute_cases as select * from scratch.case_rows")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        warehouse_schema.apply(conn)
        load_seeds(conn)
        # Typed as dbt types the seed (load_seeds keeps text but for the rules' priority).
        conn.execute(
            """create or replace table finance_config.deduction_gl_mapping as
               select * replace (try_cast(dispute_window_days as integer) as dispute_window_days,
                                 is_disputable::boolean as is_disputable,
                                 is_deduction::boolean as is_deduction,
                                 is_timing_item::boolean as is_timing_item,
                                 blocks_posting::boolean as blocks_posting)
               from finance_config.deduction_gl_mapping"""
        )
        create_model_views(conn, FINANCE_MODELS, variables={"variance_tolerance": "0.00"})
        create_model_views(conn, DISPUTE_INPUTS)
        _cases_table(conn)
        # The deadline exceptions as of the month end (the pack shows those open now).
        query, params = dispute_deadline_problems(MAY_END)
        record_detections(conn, "finance/dispute_deadlines", query=query, params=params)
    return path


@pytest.fixture
def rendered(monkeypatch) -> list[tuple[str, dict, set[str]]]:
    """dispute_cases as the hand-written rows as of the day asked; the other models real."""
    calls: list[tuple[str, dict, set[str]]] = []

    def render(name: str, **kwargs: Any) -> str:
        variables = dict(kwargs.get("variables") or {})
        calls.append((name, variables, set(kwargs.get("refs") or {})))
        if name != "dispute_cases":
            return render_model(name, **kwargs)
        as_of = variables["settlement_date_end"]
        return f"""select * replace (dispute_deadline - date '{as_of}' as days_left,
                                     date '{as_of}' as as_of_date)
                   from scratch.case_rows where claimed_on <= date '{as_of}'"""

    monkeypatch.setattr(close_pack, "render_model", render)
    return calls


def table(workbook: openpyxl.Workbook, title: str) -> list[dict[str, Any]]:
    rows = workbook[title].iter_rows()
    header = [cell.value for cell in next(rows)]
    found = []
    for cells in rows:
        if all(cell.value is None for cell in cells):
            break
        found.append({name: cell for name, cell in zip(header, cells, strict=False) if name})
    return found


def cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def by_id() -> dict[str, tuple]:
    return {case[0]: case for case in CASES}


def test_the_disputes_sheet_lists_the_cases_open_at_month_end(warehouse, rendered, tmp_path):
    with open_warehouse(warehouse) as conn:
        pack = build_close_pack(conn, MAY, tmp_path / "packs")
    workbook = openpyxl.load_workbook(pack.workbook)
    assert {"disputes", "dispute recovery", "dispute root causes"} <= set(workbook.sheetnames)

    # Rendered as of the month end, and the figures over that rendering (not today's views).
    cases_call = [c for c in rendered if c[0] == "dispute_cases"]
    assert cases_call and all(c[1]["settlement_date_end"] == "2026-05-31" for c in cases_call)
    for model in ("dispute_recovery", "dispute_root_causes"):
        (_, variables, refs) = next(c for c in rendered if c[0] == model)
        assert variables["settlement_date_end"] == "2026-05-31" and "dispute_cases" in refs

    rows = table(workbook, "disputes")
    cases = by_id()
    decided = {"won", "partly_won", "lost", "expired"}
    expected_open = [
        c[0] for c in CASES if date.fromisoformat(c[4]) <= MAY_END and c[2] not in decided
    ]
    assert sorted(row["case id"].value for row in rows) == sorted(expected_open)
    days = [row["days left"].value for row in rows]
    assert days == sorted(days)  # the most urgent first
    for row in rows:
        case = cases[row["case id"].value]
        deadline = date.fromisoformat(case[5])
        assert row["days left"].value == (deadline - MAY_END).days
        assert row["dispute deadline"].value.date() == deadline
        assert row["status"].value == case[2]
        assert row["judgement reason"].value == f"Judged {case[3]} from our records for {case[0]}."
        assert cents(row["open amount"].value) == Decimal(case[6]) - Decimal(case[7])
        assert row["open amount"].number_format == money_format("USD")
        left = (deadline - MAY_END).days
        alert = row["deadline alert"].value
        if case[2] in ("open", "disputable") and left <= ERROR_DAYS:
            assert alert == "error"
        elif case[2] in ("open", "disputable") and left <= 7:
            assert alert == "warn"
        else:
            assert alert is None
    assert {row["case id"].value: row["deadline alert"].value for row in rows}["SC-A"] == "error"

    # The same rows in the CSV.
    csv_lines = pack.csv_files["disputes"].read_text().splitlines()
    assert len(csv_lines) == len(rows) + 1 and csv_lines[0].startswith("case_id,case_class")


def test_recovery_and_root_causes_are_the_models_over_the_month_end_cases(
    warehouse, rendered, tmp_path
):
    with open_warehouse(warehouse) as conn:
        pack = build_close_pack(conn, MAY, tmp_path / "packs")
    workbook = openpyxl.load_workbook(pack.workbook)
    recovery = table(workbook, "dispute recovery")
    in_pack = [c for c in CASES if date.fromisoformat(c[4]) <= MAY_END]
    for row in recovery:
        month = row["claim month"].value.date()
        members = [
            c
            for c in in_pack
            if date.fromisoformat(c[4]).replace(day=1) == month and c[1] == row["case class"].value
        ]
        assert row["cases"].value == len(members)
        assert cents(row["claimed amount"].value) == sum(Decimal(c[6]) for c in members)
        assert cents(row["recovered amount"].value) == sum(Decimal(c[7]) for c in members)
    months = {(r["claim month"].value.date(), r["case class"].value) for r in recovery}
    assert months == {(date.fromisoformat(c[4]).replace(day=1), c[1]) for c in in_pack}
    # The case claimed after the month is nowhere in May's pack.
    assert all(row["claim month"].value.date() <= MAY for row in recovery)
    # SC-D was disputed and won in full: April's shortage recovery rate is 100 %.
    april = next(r for r in recovery if r["claim month"].value.date() == date(2026, 4, 1))
    assert april["recovery rate pct"].value == 100.0

    causes = table(workbook, "dispute root causes")
    valid = [c for c in in_pack if c[3] == "valid"]
    assert [
        (r["root cause"].value, r["cases"].value, cents(r["amount"].value)) for r in causes
    ] == [(c[9], 1, Decimal(c[6])) for c in valid]


def test_the_summary_carries_the_disputes_and_their_deadline_exceptions(
    warehouse, rendered, tmp_path
):
    with open_warehouse(warehouse) as conn:
        pack = build_close_pack(conn, MAY, tmp_path / "packs")
    summary = table(openpyxl.load_workbook(pack.workbook), "summary")
    lines = {
        (r["section"].value, r["item"].value): (r["count"].value, r["detail"].value)
        for r in summary
    }
    open_cases = table(openpyxl.load_workbook(pack.workbook), "disputes")
    alerts = [r["deadline alert"].value for r in open_cases]
    section = "disputes as of 2026-05-31"
    assert lines[(section, "cases open")][0] == len(open_cases)
    assert lines[(section, "window closing, 2 days or fewer")][0] == alerts.count("error")
    assert lines[(section, "window closing, 3 to 7 days")][0] == alerts.count("warn")
    # The deadline exceptions open now, by their effective severity.
    exceptions = {
        (r["item"].value, r["detail"].value.split(",")[0]): r["count"].value
        for r in summary
        if r["section"].value == "open finance exceptions (now)"
    }
    assert exceptions[("dispute_window_closing", "error")] == alerts.count("error")
    assert exceptions[("dispute_window_closing", "warn")] == alerts.count("warn")
    assert pack.data.counts["open_dispute_cases"] == len(open_cases)


def test_the_real_dispute_models_render_as_of_the_month_end(warehouse, tmp_path) -> None:
    # No stand-in: the project's dispute_cases over the (empty) evidence of the warehouse.
    with open_warehouse(warehouse) as conn:
        pack = build_close_pack(conn, MAY, tmp_path / "packs")
    sheets = {sheet.slug: sheet for sheet in pack.data.sheets}
    assert sheets["disputes"].rows == []
    assert {"case_id", "status", "days_left", "deadline_alert", "judgement_reason"} <= set(
        sheets["disputes"].columns
    )
    assert "recovery_rate_pct" in sheets["dispute_recovery"].columns
    assert "root_cause" in sheets["dispute_root_causes"].columns


def test_the_analysts_copy_carries_the_dispute_figures(warehouse, tmp_path) -> None:
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            f"create or replace view finance.dispute_recovery as {render_model('dispute_recovery')}"
        )
        result = publish_analytics(conn, tmp_path / "analytics.duckdb")
    assert "finance.dispute_cases" in result.tables and "finance.dispute_recovery" in result.tables
    assert set(result.tables) & set(DISPUTE_RELATIONS) == {
        "finance.dispute_cases",
        "finance.dispute_recovery",
    }
    with duckdb.connect(str(result.path), read_only=True) as copy:
        assert copy.execute("select count(*) from finance.dispute_cases").fetchone() == (
            len(CASES),
        )
