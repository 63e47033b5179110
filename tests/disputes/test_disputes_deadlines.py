"""Dispute deadlines as exceptions, on `finance.dispute_cases` rows written by hand (the dbt model
is tested on its own), and the per-detection severity that lets one type warn and then be red.

Cases as of TODAY (deadline = TODAY + days):

    SC-CLOSE2   disputable   +2   dispute_window_closing, error
    SC-CLOSE5   disputable   +5   dispute_window_closing, warn
    PC-OPEN7    open         +7   dispute_window_closing, warn (unjudged is still ours to dispute)
    PC-LATER    disputable   +8   nothing yet
    CB-SENT     submitted    +1   nothing: disputed
    SC-VALID    valid        +1   nothing: accepted
    SC-EXPIRED  expired      -3   dispute_expired
    SC-STALE    disputable   -1   dispute_expired (the view is as of an earlier day)
    CB-OLD      expired      -40  nothing: a chargeback, past the notice period
    SC-OLD      expired      -40  dispute_expired until its write-off journal is in NetSuite
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from vendor_pipelines import warehouse_schema
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.disputes.deadlines import (
    DISPUTE_DEADLINES,
    SOURCE,
    dispute_deadline_checks,
    dispute_deadlines,
)
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.disputes.detections import EXPIRED_NOTICE_DAYS, dispute_deadline_problems
from vendor_pipelines.exceptions.alerts import (
    AlertState,
    read_exception_feed,
    write_exception_feed,
)
from vendor_pipelines.exceptions.store import (
    Detection,
    loudest_open_severity,
    record_detections,
)
from vendor_pipelines.exceptions.types import EXCEPTION_TYPES
from vendor_pipelines.finance.dispute_deadlines import ERROR_DAYS, WARN_DAYS
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL
from vendor_pipelines.submissions.ledger import Outcome, record_outcomes, record_pending

TODAY = date(2026, 5, 10)
NOW = datetime(2026, 5, 10, 9, tzinfo=UTC)

# case_id, class, status, judgement, days to the deadline, open amount
CASES = [
    ("SC-CLOSE2", "SHORTAGE", "disputable", "disputable", 2, "25.00"),
    ("SC-CLOSE5", "SHORTAGE", "disputable", "disputable", 5, "12.50"),
    ("PC-OPEN7", "PRICE_CLAIM", "open", "unjudged", 7, "3.75"),
    ("PC-LATER", "PRICE_CLAIM", "disputable", "disputable", 8, "4.00"),
    ("CB-SENT", "CHARGEBACK", "submitted", "disputable", 1, "9.00"),
    ("SC-VALID", "SHORTAGE", "valid", "valid", 1, "12.50"),
    ("SC-EXPIRED", "SHORTAGE", "expired", "disputable", -3, "50.00"),
    ("SC-STALE", "SHORTAGE", "disputable", "disputable", -1, "8.00"),
    ("CB-OLD", "CHARGEBACK", "expired", "disputable", -40, "2.00"),
    ("SC-OLD", "SHORTAGE", "expired", "disputable", -40, "30.00"),
]


def create_cases(conn: duckdb.DuckDBPyConnection, today: date, cases=CASES) -> None:
    """finance.dispute_cases as a plain table with the contract's columns the detections read."""
    conn.execute("create schema if not exists finance")
    conn.execute(
        """create or replace table finance.dispute_cases (
               case_id varchar, case_class varchar, claim_reference varchar,
               invoice_number varchar, po_number varchar, vendor_code varchar, currency varchar,
               asin varchar, claimed_amount decimal(18, 2), recovered_amount decimal(18, 2),
               open_amount decimal(18, 2), dispute_deadline date, days_left integer,
               judgement varchar, judgement_reason varchar, status varchar, as_of_date date)"""
    )
    conn.executemany(
        """insert into finance.dispute_cases values (?, ?, ?, ?, ?, 'ACME1', 'USD', 'B0TEST0001',
               ?, 0, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                case_id,
                case_class,
                f"INV-{case_id}SC" if case_class == "SHORTAGE" else f"INV-{case_id}",
                f"INV-{case_id}",
                f"PO-{case_id}",
                Decimal(amount),
                Decimal(amount),
                today + timedelta(days=days),
                days,
                judgement,
                f"the judgement of {case_id}.",
                status,
                today,
            )
            for case_id, case_class, status, judgement, days, amount in cases
        ],
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    warehouse_schema.apply(conn)
    create_cases(conn, TODAY)
    yield conn
    conn.close()


def detect(conn: duckdb.DuckDBPyConnection, today: date, now: datetime = NOW) -> None:
    query, params = dispute_deadline_problems(today)
    record_detections(conn, SOURCE, query=query, params=params, now=now)


def open_deadline_exceptions(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = conn.execute(
        """select entity_key, exception_type, severity, owner, detail, reference
           from ops.open_exceptions where source = ?""",
        [SOURCE],
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def expected(case_days: int, status: str) -> tuple[str, str] | None:
    """The rule, from the thresholds: what a case should raise."""
    if status == "expired" or (status in ("open", "disputable") and case_days < 0):
        return ("dispute_expired", "error")
    if status in ("open", "disputable") and case_days <= ERROR_DAYS:
        return ("dispute_window_closing", "error")
    if status in ("open", "disputable") and case_days <= WARN_DAYS:
        return ("dispute_window_closing", "warn")
    return None


def test_each_case_raises_what_its_deadline_says(warehouse) -> None:
    detect(warehouse, TODAY)
    found = open_deadline_exceptions(warehouse)
    for case_id, case_class, status, _, days, amount in CASES:
        rule = expected(days, status)
        if rule and rule[0] == "dispute_expired" and days < -EXPIRED_NOTICE_DAYS:
            # Past the notice period only a write-off still to post keeps it open.
            rule = rule if case_class != "CHARGEBACK" else None
        if rule is None:
            assert case_id not in found, case_id
            continue
        kind, severity, owner, detail, reference = found[case_id]
        assert (kind, severity) == rule, case_id
        assert owner == EXCEPTION_TYPES[kind].owner == "finance"
        deadline = (TODAY + timedelta(days=days)).isoformat()
        # The case, the amount, the deadline and the owner, in words finance can act on.
        assert case_id in detail and f"USD {amount}" in detail and deadline in detail, detail
        assert "Owner finance" in detail
        assert reference.startswith("INV-")
    assert {v[:2] for v in found.values()} == {
        ("dispute_window_closing", "error"),
        ("dispute_window_closing", "warn"),
        ("dispute_expired", "error"),
    }


def test_a_case_two_days_from_closing_is_red_for_finance(warehouse) -> None:
    detect(warehouse, TODAY)
    kind, severity, owner, detail, _ = open_deadline_exceptions(warehouse)["SC-CLOSE2"]
    assert (kind, severity, owner) == ("dispute_window_closing", "error", "finance")
    assert f"{ERROR_DAYS} day(s) left" in detail
    # The type is a warning; the detection made it an error, and its check shows red.
    assert EXCEPTION_TYPES[kind].severity == "warn"
    assert loudest_open_severity(warehouse, kind) == "error"
    assert loudest_open_severity(warehouse, "unapplied_cash") is None


def test_a_warning_that_becomes_an_error_is_news_to_the_alert_sensor(warehouse) -> None:
    earlier, later = NOW - timedelta(days=3), NOW
    detect(warehouse, TODAY - timedelta(days=3), now=earlier)  # SC-CLOSE2 had 5 days left
    assert open_deadline_exceptions(warehouse)["SC-CLOSE2"][1] == "warn"
    feed_path = write_exception_feed(warehouse, now=earlier)
    assert feed_path is not None
    told = {e.entity_key for e in read_exception_feed(feed_path)}
    assert "SC-CLOSE2" not in told  # a warning is not alerted
    # The sensor has handled everything up to the first run.
    state = AlertState.start(earlier.timestamp(), 0)

    detect(warehouse, TODAY, now=later)
    first_seen, severity = warehouse.execute(
        "select first_seen_at, severity from ops.exceptions where entity_key = 'SC-CLOSE2'"
    ).fetchone()
    assert severity == "error" and first_seen == earlier  # the same exception, first sighting kept
    events = {e.entity_key: e for e in read_exception_feed(write_exception_feed(warehouse, later))}
    escalated = events["SC-CLOSE2"]
    assert escalated.first_seen_us == int(earlier.timestamp() * 1_000_000)
    assert escalated.news_at_us == int(later.timestamp() * 1_000_000)
    assert (escalated.news_at_us, escalated.exception_id) > state.exceptions_after
    # An error from the first run stays one occurrence (not told twice).
    expired = events["SC-EXPIRED"]
    assert expired.news_at_us == expired.first_seen_us == int(earlier.timestamp() * 1_000_000)


def test_an_old_expired_claim_clears_once_its_write_off_is_in_netsuite(warehouse) -> None:
    detect(warehouse, TODAY)
    assert "SC-OLD" in open_deadline_exceptions(warehouse)
    record_pending(warehouse, JOURNAL_CHANNEL, [("AMZ-DJE-SC-OLD", "digest")])
    record_outcomes(warehouse, JOURNAL_CHANNEL, [Outcome("AMZ-DJE-SC-OLD", "succeeded", "9")])
    detect(warehouse, TODAY)
    assert "SC-OLD" not in open_deadline_exceptions(warehouse)
    # A recent one stays whatever the journal: it is the month's miss to look at.
    assert "SC-EXPIRED" in open_deadline_exceptions(warehouse)


def test_submitting_a_case_clears_its_exception(warehouse) -> None:
    detect(warehouse, TODAY)
    warehouse.execute(
        "update finance.dispute_cases set status = 'submitted' where case_id = ?", ["SC-CLOSE2"]
    )
    detect(warehouse, TODAY)
    resolved = warehouse.execute(
        "select resolved_at from ops.exceptions where entity_key = 'SC-CLOSE2'"
    ).fetchone()[0]
    assert resolved is not None
    assert "SC-CLOSE2" not in open_deadline_exceptions(warehouse)


# --- the per-detection severity in general --------------------------------------------------


def test_a_detection_may_carry_its_own_severity_or_the_types(warehouse) -> None:
    record_detections(
        warehouse,
        "test/severity",
        detections=[
            Detection("dispute_window_closing", "a", "louder", severity="error"),
            Detection("dispute_window_closing", "b", "as the type says"),
        ],
    )
    rows = dict(
        warehouse.execute(
            "select entity_key, severity from ops.exceptions where source = 'test/severity'"
        ).fetchall()
    )
    assert rows == {"a": "error", "b": EXCEPTION_TYPES["dispute_window_closing"].severity}
    # A query without a severity column keeps the type's.
    record_detections(
        warehouse,
        "test/query",
        query="""select 'dispute_expired' as exception_type, 'c' as entity_key,
                        null as vendor_code, null as purchase_order_number, null as asin,
                        null as sku, null as reference, 'expired' as detail""",
    )
    assert warehouse.execute(
        "select severity from ops.exceptions where source = 'test/query'"
    ).fetchone() == (EXCEPTION_TYPES["dispute_expired"].severity,)
    with pytest.raises(ValueError, match="unknown severity"):
        record_detections(
            warehouse,
            "test/bad",
            detections=[Detection("dispute_expired", "d", "x", severity="critical")],
        )
    assert warehouse.execute(
        "select count(*) from ops.exception_detections where source = 'test/bad'"
    ).fetchone() == (0,)


def test_the_override_column_migrates_an_old_warehouse(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "old.duckdb"))
    # The exception tables as the release before per-detection severities made them.
    conn.execute(
        """create schema ops;
           create table ops.exception_types (exception_type varchar primary key,
               owner varchar not null, severity varchar not null, description varchar not null,
               blocks varchar);
           create table ops.exception_detections (source varchar not null,
               exception_type varchar not null, entity_key varchar not null, vendor_code varchar,
               purchase_order_number varchar, asin varchar, sku varchar, reference varchar,
               detail varchar not null, detected_at timestamptz not null,
               primary key (source, exception_type, entity_key));
           create table ops.exceptions (exception_id varchar primary key,
               exception_type varchar not null, owner varchar not null,
               severity varchar not null, source varchar not null, entity_key varchar not null,
               vendor_code varchar, purchase_order_number varchar, asin varchar, sku varchar,
               reference varchar, detail varchar not null, first_seen_at timestamptz not null,
               last_seen_at timestamptz not null, resolved_at timestamptz)"""
    )
    old_seen = NOW - timedelta(days=10)
    conn.execute(
        """insert into ops.exception_detections values
               ('finance/netsuite_postings:x', 'posting_failed', 'journal|P1', null, null, null,
                null, 'P1', 'refused', ?)""",
        [old_seen],
    )
    conn.execute(
        """insert into ops.exceptions values (md5('posting_failed|journal|P1'), 'posting_failed',
               'finance', 'error', 'finance/netsuite_postings:x', 'journal|P1', null, null,
               null, null, 'P1', 'refused', ?, ?, null)""",
        [old_seen, old_seen],
    )
    warehouse_schema.apply(conn)
    warehouse_schema.apply(conn)  # idempotent
    columns = {
        (table, column)
        for table, column in conn.execute(
            """select table_name, column_name from information_schema.columns
               where table_schema = 'ops'"""
        ).fetchall()
    }
    assert ("exception_detections", "severity") in columns
    assert ("exception_types", "louder_when") in columns
    assert ("exception_error_since", "error_since") in columns
    # What was there is kept; an old detection has the type's severity.
    assert conn.execute(
        "select severity, detail from ops.exception_detections where entity_key = 'journal|P1'"
    ).fetchone() == (None, "refused")
    assert conn.execute(
        "select louder_when from ops.exception_types where exception_type = ?",
        ["dispute_window_closing"],
    ).fetchone() == (EXCEPTION_TYPES["dispute_window_closing"].louder_when,)

    # The old error, seen again, keeps its occurrence (not told again after the upgrade).
    record_detections(
        conn,
        "finance/netsuite_postings:x",
        detections=[Detection("posting_failed", "journal|P1", "refused", reference="P1")],
        now=NOW,
    )
    (event,) = read_exception_feed(write_exception_feed(conn, NOW))
    assert event.news_at_us == event.first_seen_us == int(old_seen.timestamp() * 1_000_000)
    # And the migrated tables take overrides.
    create_cases(conn, TODAY)
    detect(conn, TODAY)
    assert open_deadline_exceptions(conn)["SC-CLOSE2"][:2] == ("dispute_window_closing", "error")
    conn.close()


# --- the asset and its checks ----------------------------------------------------------------


def test_the_asset_records_the_deadlines_and_its_checks_turn_red(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    today = datetime.now(ZoneInfo(DEPLOYMENT.finance_timezone)).date()
    with duckdb.connect(str(path)) as conn:
        warehouse_schema.apply(conn)
        create_cases(conn, today)
    result = dg.materialize(
        [dispute_deadlines, dispute_deadline_checks],
        resources={"duckdb": DuckDBResource(database=str(path))},
        partition_key=settlement_days.get_last_partition_key(),
    )
    assert result.success
    (materialization,) = result.asset_materializations_for_node(
        DISPUTE_DEADLINES.to_python_identifier()
    )
    metadata = {k: v.value for k, v in materialization.metadata.items()}
    closing = [c for c in CASES if expected(c[4], c[2]) == ("dispute_window_closing", "error")]
    assert metadata[f"closing_within_{ERROR_DAYS}_days"] == len(closing)
    assert metadata["as_of"] == today.isoformat()
    checks = {check.check_name: check for check in result.get_asset_check_evaluations()}
    assert set(checks) == {"dispute_window_closing", "dispute_expired"}
    for check in checks.values():
        assert check.asset_key == DISPUTE_DEADLINES
        assert not check.passed
        assert check.severity == dg.AssetCheckSeverity.ERROR
