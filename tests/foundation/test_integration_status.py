"""ops/integration_status: the health and overdue rules, the markdown, and the asset itself.

The rules and the rendering are tested on hand-built rows; the asset is materialized against a
persistent instance (a temporary DAGSTER_HOME composed like the dev instance) holding real runs
of two flows' jobs, one that succeeded and one that failed, and a hand-built warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._utils.schedules import cron_string_iterator
from dagster_duckdb import DuckDBResource

from vendor_pipelines.deployment.topology import write_instance
from vendor_pipelines.exceptions import schema as exceptions_schema
from vendor_pipelines.exceptions.types import EXCEPTION_TYPES
from vendor_pipelines.integration_status import (
    FLOWS,
    FLOWS_BY_ID,
    OVERDUE,
    TYPE_FLOWS,
    VARIANCE_FLOWS,
    ExceptionTally,
    FlowStatus,
    Incident,
    NextRun,
    Trigger,
    WarehouseFacts,
    flow_status,
    judge,
    next_run,
    render_markdown,
    tally_exceptions,
    warehouse_facts,
)
from vendor_pipelines.orders import schema as orders_schema
from vendor_pipelines.submissions import schema as submissions_schema

NOW = datetime(2026, 11, 20, 10, 7, tzinfo=UTC)


# --- health and overdue rules ---------------------------------------------------------------


def test_healthy_only_without_overdue_items_and_for_finance_without_variance() -> None:
    acks, settlement = FLOWS_BY_ID["acknowledgements"], FLOWS_BY_ID["settlement"]
    assert judge(acks, overdue=0, variance_payments=0) == ("healthy", "")
    # Variance is a finance matter: an operations flow is not judged by it.
    assert judge(acks, overdue=0, variance_payments=3) == ("healthy", "")
    health, reason = judge(acks, overdue=2, variance_payments=0)
    assert (health, reason) == ("unhealthy", "2 overdue")
    health, reason = judge(settlement, overdue=0, variance_payments=1)
    assert health == "unhealthy" and "1 payment(s) with unexplained variance" in reason
    health, reason = judge(settlement, overdue=1, variance_payments=1)
    assert reason.count(";") == 1  # both reasons
    # Every flow has its overdue rule, and only the finance flows that move money carry
    # variance (disputes, finance's too, are judged by their deadlines).
    assert set(OVERDUE) == {flow.id for flow in FLOWS}
    assert {f.id for f in FLOWS if f.owner == "finance"} == {
        "remittances",
        "settlement",
        "postings",
        "disputes",
    }
    assert set(VARIANCE_FLOWS) == {"remittances", "settlement", "postings"}
    disputes = FLOWS_BY_ID["disputes"]
    assert judge(disputes, overdue=0, variance_payments=1) == ("healthy", "")


def test_a_failed_run_is_the_last_error_not_a_health_verdict() -> None:
    run = Incident(NOW - timedelta(hours=2), "run 1234abcd failed at x: boom")
    exception = Incident(NOW - timedelta(hours=1), "asn_rejected: refused")
    status = flow_status(
        FLOWS_BY_ID["asns"],
        last_success_at=NOW - timedelta(hours=3),
        failed_run=run,
        next_run=NextRun(None, "on arrival"),
        facts=WarehouseFacts(exceptions=ExceptionTally({"operations": 1}, exception)),
    )
    assert status.last_error == exception  # the latest of the two
    assert status.healthy
    older = flow_status(
        FLOWS_BY_ID["asns"],
        last_success_at=None,
        failed_run=run,
        next_run=NextRun(None, "on arrival"),
        facts=WarehouseFacts(),
    )
    assert older.last_error == run


def test_next_run_from_cron_and_timezone_or_how_else_the_flow_is_started() -> None:
    every_quarter = Trigger(schedules=(("order_sync_schedule", "*/15 * * * *", "UTC"),))
    assert next_run(every_quarter, NOW) == NextRun(
        datetime(2026, 11, 20, 10, 15, tzinfo=UTC), "2026-11-20 10:15 UTC (order_sync_schedule)"
    )
    nightly = Trigger(
        schedules=(("nightly_settlement_schedule", "30 2 * * *", "America/Los_Angeles"),),
        sensors=("settle_loaded_days",),
    )
    at = next_run(nightly, NOW)
    # 02:07 in Los Angeles: tonight's 02:30 tick is in 23 minutes.
    assert at.at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert at.text == (
        "2026-11-20 02:30 America/Los_Angeles (nightly_settlement_schedule); also on arrival"
    )
    assert next_run(Trigger(sensors=("remittance_inbox_sensor",)), NOW) == NextRun(
        None, "on arrival (remittance_inbox_sensor)"
    )
    assert next_run(Trigger(automated=True), NOW).text == "when inputs change"
    # The earliest of several schedules.
    both = Trigger(schedules=(("a", "0 * * * *", "UTC"), ("b", "10 * * * *", "UTC")))
    assert next_run(both, NOW).text.endswith("(b)")


def test_open_exceptions_map_to_flows_by_source_then_type() -> None:
    seen = NOW - timedelta(hours=1)
    rows = [
        (
            "orders/acknowledgements",
            None,
            "acknowledgement_failed",
            "operations",
            "error",
            2,
            seen,
            "rejected by Amazon",
        ),
        # A failed run counts for every flow of its job.
        (
            "dagster/run_failures",
            "run|order_sync",
            "transmission_error",
            "operations",
            "error",
            1,
            NOW,
            "run abc of job order_sync failed: boom\nmore",
        ),
        # An unknown source goes by its type; unknown both, nowhere.
        ("somewhere/new", None, "asn_rejected", "operations", "warn", 1, seen, "x"),
        ("somewhere/new", None, "transmission_error", "operations", "error", 4, seen, "y"),
        (
            "finance/settlements:2026-11-19..2026-11-19",
            None,
            "unexplained_variance",
            "finance",
            "error",
            1,
            seen,
            "unexplained variance 1.00",
        ),
    ]
    tallies = tally_exceptions(rows)
    assert tallies["acknowledgements"].open_by_owner == {"operations": 3}
    assert tallies["acknowledgements"].latest_error == Incident(
        NOW, "transmission_error: run abc of job order_sync failed: boom"
    )
    assert tallies["po_pull"].open_by_owner == {"operations": 1}
    assert tallies["sales_orders"].open_by_owner == {"operations": 1}
    assert tallies["asns"].open_by_owner == {"operations": 1}
    assert tallies["asns"].latest_error is None  # a warning is not an error
    assert tallies["settlement"].open_by_owner == {"finance": 1}
    assert tallies[""].open_by_owner == {"operations": 4}


def test_every_exception_type_belongs_to_a_flow() -> None:
    # transmission_error is raised by many flows: it goes by the source that recorded it.
    assert set(EXCEPTION_TYPES) - set(TYPE_FLOWS) <= {"transmission_error"}
    assert set(TYPE_FLOWS.values()) <= set(FLOWS_BY_ID)


def _warehouse(conn: duckdb.DuckDBPyConnection) -> None:
    # The exceptions, the ledger and the order tables; no fulfilment tables yet.
    for schema in (exceptions_schema, submissions_schema, orders_schema):
        schema.apply(conn)
    conn.execute("create schema if not exists finance")
    conn.execute(
        """create table finance.settlement_reconciliation (
               grain varchar, settlement_id varchar, settlement_date date,
               unexplained_variance decimal(18, 2), is_postable boolean)"""
    )
    conn.execute(
        "create table finance.cash_application (payment_number varchar, apply_amount decimal)"
    )


def _po(conn: duckdb.DuckDBPyConnection, number: str, ordered: datetime) -> None:
    conn.execute(
        """insert into raw.amazon_purchase_orders
               (purchase_order_number, program, region, vendor_code, purchase_order_state,
                purchase_order_date, payload_hash, first_seen_at, last_changed_at)
           values (?, 'RP', 'NA', 'VEND1', 'New', ?, 'h', ?, ?)""",
        [number, ordered, ordered, ordered],
    )


def _submission(conn, channel: str, key: str, status: str, first: datetime) -> None:
    conn.execute(
        """insert into ops.submissions (channel, submission_key, payload_hash, status, attempts,
               first_attempt_at, last_attempt_at) values (?, ?, 'h', ?, 1, ?, ?)""",
        [channel, key, status, first, first],
    )


def _exception(conn, kind: str, owner: str, first: datetime, reference: str, source: str) -> None:
    conn.execute(
        """insert into ops.exceptions values (md5(?), ?, ?, 'error', ?, ?, null, null, null,
               null, ?, ?, ?, ?, null)""",
        [
            kind + reference,
            kind,
            owner,
            source,
            reference,
            reference,
            f"{kind} {reference}",
            first,
            first,
        ],
    )


def _payment(
    conn, number: str, day: str, variance: float, postable: bool, *, settles_invoices=True
) -> None:
    conn.execute(
        "insert into finance.settlement_reconciliation values ('payment', ?, ?, ?, ?)",
        [number, day, variance, postable],
    )
    if settles_invoices:
        conn.execute("insert into finance.cash_application values (?, 100)", [number])


def test_overdue_items_per_flow_on_a_hand_built_warehouse() -> None:
    conn = duckdb.connect()
    _warehouse(conn)
    _po(conn, "LATE1", NOW - timedelta(hours=30))  # no acknowledgement after 30 h
    _po(conn, "LATE2", NOW - timedelta(hours=26))
    _submission(conn, "amazon.rp.acknowledgement", "LATE2", "pending", NOW - timedelta(hours=25))
    _po(conn, "DONE", NOW - timedelta(hours=30))
    _submission(conn, "amazon.rp.acknowledgement", "DONE", "succeeded", NOW - timedelta(hours=29))
    _po(conn, "FRESH", NOW - timedelta(hours=2))  # still within the 24 hours
    # A rejected remittance file is overdue at once; an ASN unanswered for 30 h is too.
    _exception(
        conn,
        "remittance_file_rejected",
        "finance",
        NOW - timedelta(minutes=5),
        "bad.edi",
        "raw/remittance_files",
    )
    _submission(conn, "amazon.rp.shipmentConfirmation", "ASN1", "sent", NOW - timedelta(hours=30))
    _submission(conn, "amazon.rp.shipmentConfirmation", "ASN2", "sent", NOW - timedelta(hours=3))
    # Payments: held two days (overdue), held an hour (not yet overdue, still unhealthy),
    # postable and posted, postable and never posted five days on (overdue for postings).
    _payment(conn, "P-OLD", "2026-11-17", 12.5, False)
    _exception(
        conn,
        "unexplained_variance",
        "finance",
        NOW - timedelta(days=2),
        "P-OLD",
        "finance/settlements:2026-11-17..2026-11-17",
    )
    _payment(conn, "P-NEW", "2026-11-19", 3, False)
    _exception(
        conn,
        "settlement_customer_missing",
        "finance",
        NOW - timedelta(hours=1),
        "P-NEW",
        "finance/settlements:2026-11-19..2026-11-19",
    )
    _payment(conn, "P/OK", "2026-11-15", 0, True)
    _submission(conn, "netsuite.customerPayment", "AMZ-PMT-P-OK", "succeeded", NOW)
    _payment(conn, "P-UNPOSTED", "2026-11-15", 0, True)
    # Amazon paying back disputed claims alone: posted as its journal, no customer payment.
    _payment(conn, "P-REVERSALS", "2026-11-15", 0, True, settles_invoices=False)

    facts, unmapped = warehouse_facts(conn, NOW, "America/Los_Angeles")

    assert facts["acknowledgements"].overdue_items == ("LATE1", "LATE2")
    assert facts["remittances"].overdue_items == ("bad.edi",)
    assert facts["asns"].overdue_items == ("ASN1",)
    assert facts["settlement"].overdue_items == ("P-OLD",)
    assert facts["postings"].overdue_items == ("P-UNPOSTED",)
    assert facts["po_pull"].overdue_items == ()
    assert {f: facts[f].variance_payments for f in ("settlement", "postings", "asns")} == {
        "settlement": 2,
        "postings": 2,
        "asns": 0,
    }
    # Records moved: submissions by status over the last 24 hours (ASN1 is older).
    assert facts["asns"].records == {"sent": 1}
    assert facts["acknowledgements"].records == {}
    assert facts["po_pull"].records == {"PO versions landed": 0, "POs in warehouse": 4}
    assert facts["settlement"].records == {"payments reconciled": 5, "payments held": 2}
    assert facts["settlement"].exceptions.open_by_owner == {"finance": 2}
    assert unmapped == 0


# --- markdown -------------------------------------------------------------------------------


def _status(flow_id: str, **changes) -> FlowStatus:
    values = dict(
        flow=FLOWS_BY_ID[flow_id],
        last_success_at=NOW - timedelta(minutes=12),
        records={"succeeded": 12, "failed": 1},
        next_run=NextRun(NOW + timedelta(minutes=8), "2026-11-20 10:15 UTC (order_sync_schedule)"),
        last_error=None,
        open_by_owner={"operations": 2},
        overdue_items=(),
        variance_payments=0,
        health="healthy",
        health_reason="",
    )
    values.update(changes)
    return FlowStatus(**values)


def test_markdown_has_one_literal_row_per_flow_and_says_what_the_rules_are() -> None:
    statuses = [
        _status("po_pull"),
        _status(
            "acknowledgements",
            last_error=Incident(NOW - timedelta(hours=3), "run 1a2b failed | at x:\n*boom*"),
            overdue_items=("PO1", "PO2", "PO3", "PO4"),
            health="unhealthy",
            health_reason="4 overdue",
        ),
        _status("remittances", last_success_at=None, next_run=NextRun(None, "on arrival (s)")),
    ]
    text = render_markdown(statuses, NOW)
    lines = text.splitlines()
    assert lines[0].startswith("| flow | health | last success | records moved (24 h) |")
    rows = [line for line in lines[2:] if line.startswith("| ")]
    assert len(rows) == 3
    assert rows[0] == (
        "| PO pull | healthy | 2026-11-20 09:55 UTC (12 min ago) | succeeded 12, failed 1 "
        "| in 8 min, 2026-11-20 10:15 UTC (order\\_sync\\_schedule) | none | operations 2 | 0 |"
    )
    # The error stays in its cell: one line, pipe and emphasis escaped.
    assert "run 1a2b failed \\| at x: \\*boom\\*" in rows[1]
    assert "**unhealthy**: 4 overdue" in rows[1]
    assert rows[1].endswith("| 4 (PO1, PO2, PO3, ...) |")
    assert rows[1].count(" | ") == 7
    assert "| Remittances | healthy | never |" in rows[2] and "on arrival (s)" in rows[2]
    # The legend: the health rule and every flow's overdue rule.
    assert "**Health**: healthy only when" in text
    for flow_id in OVERDUE:
        assert f"- {FLOWS_BY_ID[flow_id].label}: " in text


# --- the asset against a persistent instance ------------------------------------------------


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster_home"
    for name, value in write_instance(home).items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.get() as persistent:
        yield persistent


def _flow_jobs() -> dg.Definitions:
    """Tiny stand-ins of two flows' jobs under their real names and key assets."""

    @dg.asset(key=["raw", "amazon_purchase_orders"])
    def purchase_orders() -> None:
        return None

    @dg.asset(key=["fulfilment", "df_shipments"])
    def df_shipments() -> None:
        return None

    @dg.asset(key=["fulfilment", "shipment_confirmations"], deps=[df_shipments])
    def shipment_confirmations() -> None:
        raise RuntimeError("Amazon refused the ASN batch: 503\nsecond line")

    return dg.Definitions(
        assets=[purchase_orders, df_shipments, shipment_confirmations],
        jobs=[
            dg.define_asset_job("order_sync", selection=[purchase_orders]),
            dg.define_asset_job(
                "fulfilment_sync", selection=[df_shipments, shipment_confirmations]
            ),
        ],
    )


def _ticks(schedule: dg.ScheduleDefinition, before: datetime, after: datetime) -> set[datetime]:
    """The schedule's next tick as of any moment between `before` and `after`."""
    ticks = set()
    for moment in (before, after):
        for tick in cron_string_iterator(
            moment.timestamp(), schedule.cron_schedule, schedule.execution_timezone or "UTC"
        ):
            if tick.timestamp() > moment.timestamp():
                ticks.add(tick.astimezone(UTC))
                break
    return ticks


def test_the_asset_reports_last_success_error_next_run_and_health(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    from vendor_pipelines.defs.exceptions.status import INTEGRATION_STATUS, integration_status
    from vendor_pipelines.defs.fulfilment.automation import fulfilment_sync_schedule
    from vendor_pipelines.defs.orders.automation import order_sync_schedule

    jobs = _flow_jobs()
    assert jobs.resolve_job_def("order_sync").execute_in_process(instance=instance).success
    failed = jobs.resolve_job_def("fulfilment_sync").execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert not failed.success
    path = tmp_path / "warehouse.duckdb"
    now = datetime.now(UTC)
    with duckdb.connect(str(path)) as conn:
        _warehouse(conn)
        _po(conn, "PO-LATE", now - timedelta(hours=30))
        _payment(conn, "P-HELD", (now - timedelta(days=1)).date().isoformat(), 9.99, False)

    before = datetime.now(UTC)
    result = dg.materialize(
        [integration_status],
        instance=instance,
        resources={"duckdb": DuckDBResource(database=str(path))},
    )
    after = datetime.now(UTC)

    assert result.success
    metadata = result.asset_materializations_for_node("ops__integration_status")[0].metadata
    assert metadata["dagster/row_count"].value == len(FLOWS)
    # Acknowledgements (a PO late), and the finance flows (a held payment with variance).
    assert metadata["unhealthy_flows"].value == 4
    assert metadata["unhealthy_finance_flows"].value == 3
    assert "| PO pull | healthy |" in metadata["status"].value
    with duckdb.connect(str(path), read_only=True) as conn:
        cursor = conn.execute("select * from ops.integration_status")
        names = [d[0] for d in cursor.description]
        rows = {row[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    assert list(rows) == [flow.id for flow in FLOWS]

    # PO pull: its job succeeded; the next tick of the order sync schedule comes next.
    po = rows["po_pull"]
    (landed,) = instance.fetch_materializations(
        dg.AssetKey(["raw", "amazon_purchase_orders"]), limit=1
    ).records
    assert abs(po["last_success_at"].timestamp() - landed.timestamp) < 0.001
    assert po["last_error"] is None and po["health"] == "healthy"
    assert po["next_run_at"] in _ticks(order_sync_schedule, before, after)
    assert "(order_sync_schedule)" in po["next_run"]

    # ASNs: the fulfilment run failed at their step; a failed run is an error, not ill health.
    asns = rows["asns"]
    (failure,) = instance.get_run_records(
        filters=dg.RunsFilter(job_name="fulfilment_sync", statuses=[dg.DagsterRunStatus.FAILURE])
    )
    assert asns["last_success_at"] is None
    assert asns["last_error"] == (
        f"run {failure.dagster_run.run_id[:8]} failed at fulfilment__shipment_confirmations: "
        "RuntimeError: Amazon refused the ASN batch: 503"
    )
    assert abs(asns["last_error_at"].timestamp() - failure.end_time) < 0.001
    assert asns["next_run_at"] in _ticks(fulfilment_sync_schedule, before, after)
    assert asns["health"] == "healthy"
    # DF confirmations materialized before the failing step: that run is not their error.
    assert rows["df_confirmations"]["last_success_at"] is not None
    assert rows["df_confirmations"]["last_error"] is None

    # Acknowledgements: a PO past Amazon's 24 hours.
    acks = rows["acknowledgements"]
    assert (acks["health"], acks["overdue"], acks["overdue_items"]) == ("unhealthy", 1, "PO-LATE")
    assert acks["last_success_at"] is None and acks["last_error"] is None

    # Finance: the held payment makes every finance flow unhealthy; not overdue yet.
    settlement = rows["settlement"]
    assert settlement["health"] == "unhealthy" and settlement["variance_payments"] == 1
    assert settlement["overdue"] == 0  # held since yesterday's settlement: not a day yet
    assert "nightly_settlement_schedule" in settlement["next_run"]
    assert settlement["next_run"].endswith("also on arrival")
    assert rows["remittances"]["next_run"].startswith("on arrival (remittance_inbox_sensor")
    assert rows["remittances"]["next_run_at"] is None

    # The asset itself runs unattended, refreshed by its own automation sensor.
    from vendor_pipelines.defs.exceptions.status import integration_status_automation

    assert integration_status.specs_by_key[INTEGRATION_STATUS].automation_condition is not None
    assert integration_status_automation.default_status == dg.DefaultSensorStatus.RUNNING
