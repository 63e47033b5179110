"""Dispute reclass journals posted to the sandbox NetSuite over HTTP, once each, through the
submission ledger; a case whose status moved upserts the same journal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from dispute_warehouse import AS_OF, VALID, DisputeWarehouse, build_warehouse
from sandbox_flow import environment, sandbox_environment

from vendor_pipelines.connections import netsuite_client, sandbox_for
from vendor_pipelines.defs.disputes.journals import dispute_journals
from vendor_pipelines.defs.resources import NetSuiteResource, WarehouseResource
from vendor_pipelines.disputes.journals import journal_body, post_dispute_journals
from vendor_pipelines.finance.netsuite_bodies import UnpostableSettlementError
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL
from vendor_pipelines.settings import load_settings
from vendor_sandbox.netsuite.seed import customer_id_for

EXTERNAL_ID = f"AMZ-DJE-{VALID['case_id']}"
LOST_ON = date(2026, 7, 20)


def journal(status: str, posting_date: date, debit_account: str, customer_id: str) -> list[dict]:
    """The two lines the model gives a decided shortage case of 12.50."""
    shared = {
        "journal_external_id": EXTERNAL_ID,
        "case_id": VALID["case_id"],
        "status": status,
        "posting_date": posting_date,
        "customer_id": customer_id,
        "currency": "USD",
    }
    amount = Decimal("12.50")
    return [
        {
            **shared,
            "journal_line_no": 1,
            "gl_account_number": debit_account,
            "gl_account_name": "debit side",
            "debit": amount,
            "credit": None,
            "memo": f"{status} INV-1003SC",
        },
        {
            **shared,
            "journal_line_no": 2,
            "gl_account_number": "1205",
            "gl_account_name": "Amazon deductions in dispute",
            "debit": None,
            "credit": amount,
            "memo": f"{status} INV-1003SC",
        },
    ]


@dataclass
class Books:
    warehouse: DisputeWarehouse
    customer_id: str


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Books]:
    root: Path = tmp_path_factory.mktemp("dispute_journals")
    with environment(sandbox_environment(root)):
        sandbox = sandbox_for(load_settings())
        vendor = sandbox.world.vendors[0].vendor_code
        warehouse = build_warehouse(root / "warehouse.duckdb")
        yield Books(warehouse, str(customer_id_for(sandbox.world, vendor)))


def _post(books: Books):
    with books.warehouse.connect() as conn, netsuite_client(None, load_settings()) as client:
        report = post_dispute_journals(conn, client)
        ledger = conn.execute(
            "select status, external_ref from ops.submissions"
            " where channel = ? and submission_key = ?",
            [JOURNAL_CHANNEL, EXTERNAL_ID],
        ).fetchall()
        record = client.get_by_external_id("journalEntry", EXTERNAL_ID, expand_sub_resources=True)
    return report, ledger, record


def _lines(record: dict) -> list[tuple[str, float | None, float | None]]:
    return [
        (line["account"]["id"], line.get("debit"), line.get("credit"))
        for line in record["line"]["items"]
    ]


def test_a_valid_case_is_posted_once_and_a_lost_one_upserts_the_same_journal(books: Books):
    books.warehouse.replace_journal_lines(journal("valid", AS_OF, "4170", books.customer_id))
    report, ledger, record = _post(books)
    assert (report.posted, report.unchanged, report.failed, report.unpostable) == (1, 0, [], [])
    assert ledger == [("succeeded", str(record["id"]))]
    assert record["tranDate"] == AS_OF.isoformat()
    assert _lines(record) == [("4170", 12.5, None), ("1205", None, 12.5)]
    assert record["line"]["items"][0]["entity"]["id"] == books.customer_id

    # The same journal lines again: nothing is sent.
    again, ledger_again, _ = _post(books)
    assert (again.posted, again.unchanged) == (0, 1)
    assert ledger_again == ledger

    # Amazon's review ended without a reversal: the case is lost, written off on 6900.
    books.warehouse.replace_journal_lines(journal("lost", LOST_ON, "6900", books.customer_id))
    moved, ledger_moved, moved_record = _post(books)
    assert (moved.posted, moved.unchanged) == (1, 0)
    assert moved_record["id"] == record["id"]  # the same NetSuite journal, updated
    assert ledger_moved == ledger
    assert moved_record["tranDate"] == LOST_ON.isoformat()
    assert _lines(moved_record) == [("6900", 12.5, None), ("1205", None, 12.5)]
    assert moved_record["memo"] == f"Amazon dispute case {VALID['case_id']}: lost"


def test_an_unbalanced_journal_is_refused_before_netsuite() -> None:
    lines = journal("valid", AS_OF, "4170", "1001")
    lines[1]["credit"] = Decimal("12.49")
    with pytest.raises(UnpostableSettlementError, match=f"dispute case {VALID['case_id']}"):
        journal_body(EXTERNAL_ID, lines)


def test_the_asset_posts_through_the_netsuite_resource(books: Books) -> None:
    # A new case valid today (its own external id): posted by the first run only.
    lines = journal("valid", AS_OF, "4160", books.customer_id)
    for line in lines:
        line.update(journal_external_id="AMZ-DJE-PC-INV-1009", case_id="PC-INV-1009")
    books.warehouse.replace_journal_lines(lines)
    resources = {
        "duckdb": WarehouseResource(database=str(books.warehouse.path)),
        "netsuite": NetSuiteResource(),
    }

    def run() -> dict:
        result = dg.materialize([dispute_journals], partition_key="2026-06-30", resources=resources)
        (event,) = result.asset_materializations_for_node(dispute_journals.op.name)
        return {name: value.value for name, value in event.metadata.items()}

    first, second = run(), run()
    assert (first["posted_this_run"], first["already_posted"]) == (1, 0)
    assert (second["posted_this_run"], second["already_posted"]) == (0, 1)
    assert "| valid" in second["by_status"] and "12.5" in second["by_status"]
