"""Settlement end to end: inbox -> load -> dbt -> posting gate -> NetSuite postings, once."""

from __future__ import annotations

import shutil
from collections import Counter

import dagster as dg
import pytest

from vendor_pipelines.defs.finance.remittances import remittance_inbox_sensor
from vendor_pipelines.defs.resources import SettingsResource

pytestmark = pytest.mark.slow


def settle_month(flow) -> list[dg.ExecuteInProcessResult]:
    return [flow.settle(payment.payment_date) for payment in flow.month.payments]


@pytest.fixture(scope="module")
def settled(settlement_flow):
    loaded = settlement_flow.load_remittances()
    assert loaded.success
    return settle_month(settlement_flow)


def test_the_inbox_sensor_keys_runs_by_content(
    settlement_flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = settlement_flow.month.files[0][0]
    shutil.copy(settlement_flow.inbox / first, settlement_flow.inbox / f"again-{first}")
    # A file is taken once unchanged across two looks (here: any two looks).
    monkeypatch.setenv("REMITTANCE_STABLE_SECONDS", "0")
    with dg.instance_for_test() as instance:
        settings = {"settings": SettingsResource()}
        settling = remittance_inbox_sensor(
            dg.build_sensor_context(instance=instance, resources=settings)
        )
        assert settling.run_requests == []
        result = remittance_inbox_sensor(
            dg.build_sensor_context(instance=instance, cursor=settling.cursor, resources=settings)
        )
    keys = Counter(request.run_key for request in result.run_requests)
    # One file more in the inbox than distinct contents: the copy maps to the same run key.
    assert sum(keys.values()) == len(settlement_flow.month.files) + 1
    assert len(keys) == len(settlement_flow.month.files)
    assert result.cursor is not None


def test_same_file_twice_is_loaded_once(settlement_flow, settled) -> None:
    assert settlement_flow.load_remittances().success  # the copy from the sensor test is in too
    files, payments = settlement_flow.query(
        "select (select count(*) from raw.remittance_files),"
        " (select count(*) from raw.remittance_payments)"
    )[0]
    assert (files, payments) == (
        len(settlement_flow.month.files),
        len(settlement_flow.month.payments),
    )


def test_verified_settlements_are_posted_once_and_blocked_ones_not_at_all(
    settlement_flow, settled
) -> None:
    payments = settlement_flow.month.payments
    good, faulty = payments[:-1], payments[-1]
    # The faulty day is held, not failed: its run succeeds and posts nothing.
    assert all(result.success for result in settled)
    posted = Counter(p["externalId"] for p in settlement_flow.netsuite_records("customerPayment"))
    journals = Counter(j["externalId"] for j in settlement_flow.netsuite_records("journalEntry"))
    assert set(posted) == {f"AMZ-PMT-{p.payment_number}" for p in good}
    assert set(journals) == {f"AMZ-JE-{p.payment_number}" for p in good}
    assert set(posted.values()) | set(journals.values()) == {1}
    # Each good payment applied exactly its invoices' gross amounts in NetSuite.
    for record in settlement_flow.netsuite_records("customerPayment"):
        number = record["externalId"].removeprefix("AMZ-PMT-")
        paid = next(p for p in good if p.payment_number == number)
        gross = sum(i.invoice_amount or 0 for i in paid.items if i.kind == "invoice")
        assert round(sum(float(a["amount"]) for a in record["apply"]["items"]), 2) == round(
            float(gross), 2
        )
    # The faulty payment: both checks warn, the gate holds it, and the exceptions name it.
    checks = {e.check_name: e.passed for e in settled[-1].get_asset_check_evaluations()}
    assert checks["assert_no_unmapped_deduction_classes"] is False
    assert checks["assert_unexplained_variance_within_tolerance"] is False
    assert checks["assert_held_settlements_carry_their_block"] is True
    ((reason,),) = settlement_flow.query(
        "select posting_blocked_reason from finance.settlement_reconciliation"
        " where reconciliation_id = ?",
        [f"payment:{faulty.payment_number}"],
    )
    assert reason.startswith("unmapped_deduction_code") and "unexplained_variance" in reason
    open_types = {
        kind
        for (kind,) in settlement_flow.query(
            "select exception_type from ops.open_exceptions where reference = ?",
            [faulty.payment_number],
        )
    }
    assert {"unmapped_deduction_code", "unexplained_variance"} <= open_types


def test_rerunning_every_partition_changes_nothing(settlement_flow, settled) -> None:
    def snapshot():
        return (
            len(settlement_flow.netsuite_records("customerPayment")),
            len(settlement_flow.netsuite_records("journalEntry")),
            settlement_flow.query("select count(*), sum(debit) from finance.gl_postings")[0],
            settlement_flow.query(
                "select count(*), sum(apply_amount) from finance.cash_application"
            )[0],
            settlement_flow.query("select count(*) from ops.submissions")[0],
        )

    before = snapshot()
    # A posted day and the blocked day, re-run: nothing new in NetSuite or the warehouse.
    for payment in (settlement_flow.month.payments[0], settlement_flow.month.payments[-1]):
        settlement_flow.settle(payment.payment_date)
    assert snapshot() == before
