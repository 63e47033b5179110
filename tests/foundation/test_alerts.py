"""Alerts to owners, evaluated in-process against real receivers (SMTP and an HTTP webhook).

The sensor is configured through the environment and built from the project's own resources;
exceptions are recorded in a real warehouse file and failed runs are real runs of a persistent
test instance. What the daemon adds (the cursor kept across ticks and restarts) is in
tests/daemon/test_alerts_daemon.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from alert_fixtures import FINANCE, OPS, clear_alert_settings, email_settings, fail_a_run
from alert_receivers import SmtpReceiver, WebhookReceiver

from vendor_pipelines import warehouse_schema
from vendor_pipelines.defs.exceptions.alerts import owner_alerts_sensor
from vendor_pipelines.defs.resources import resources as project_resources
from vendor_pipelines.exceptions.alerts import (
    AlertState,
    RunFailure,
    exception_feed_file,
    read_exception_feed,
    routing_from,
    run_tick,
)
from vendor_pipelines.exceptions.store import Detection, record_detections
from vendor_pipelines.settings import load_settings


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clear_alert_settings(monkeypatch)
    monkeypatch.chdir(tmp_path)  # no stray .env
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    return path


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    # Shared: each test's sensor starts after the failures of the tests before (not news).
    with dg.instance_for_test() as test_instance:
        yield test_instance


def configure(monkeypatch: pytest.MonkeyPatch, smtp: SmtpReceiver, webhook: WebhookReceiver):
    for name, value in {
        **email_settings(smtp),
        "ALERT_SLACK_WEBHOOK_URL": webhook.url("/hooks/everyone"),
        "ALERT_SLACK_WEBHOOK_URL_FINANCE": webhook.url("/hooks/finance"),
        "ALERT_RUNBOOK_URL": "https://git.example.com/vendor_pipelines/docs/runbook.md",
    }.items():
        monkeypatch.setenv(name, value)


class Sensor:
    """Ticks of the alerts sensor as the daemon makes them: each gets the previous cursor."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self.cursor: str | None = None
        # Built from the environment by the project's resources, like the code location does.
        self.alerts = project_resources().resources["alerts"]

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources={"alerts": self.alerts}
        )
        result = owner_alerts_sensor(context)
        assert isinstance(result, dg.SensorResult)
        assert not result.run_requests
        if result.cursor is not None:
            self.cursor = result.cursor
        return result


@pytest.fixture
def sensor(
    warehouse: Path,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    smtp: SmtpReceiver,
    webhook: WebhookReceiver,
) -> Sensor:
    """The sensor with alerts configured (`configure`), before its first tick."""
    configure(monkeypatch, smtp, webhook)
    return Sensor(instance)


def record(warehouse: Path, source: str, detections: list[Detection], at: datetime | None = None):
    with duckdb.connect(str(warehouse)) as conn:
        warehouse_schema.apply(conn)
        record_detections(conn, source, detections=detections, now=at)


SKU_GAP = Detection(
    "sku_mapping_gap",
    "asin|B0ALERT001",
    "ASIN B0ALERT001 on PO 4KT7ALERT has no NetSuite item",
    vendor_code="ACME1",
    purchase_order_number="4KT7ALERT",
    asin="B0ALERT001",
    reference="4KT7ALERT",
)
PRICE_WARN = Detection(
    "price_discrepancy",
    "po|4KT7ALERT|1",
    "net cost 10.00 vs NetSuite 12.00",
    purchase_order_number="4KT7ALERT",
)
DEDUCTION = Detection(
    "unmapped_deduction_code",
    "remit|250602ACME1|D42",
    "deduction class D42 has no GL account",
    vendor_code="ACME1",
    reference="250602ACME1",
)


def exception_id(detection: Detection) -> str:
    return hashlib.md5(f"{detection.exception_type}|{detection.entity_key}".encode()).hexdigest()


def test_nothing_configured_skips_and_sends_nothing(
    warehouse: Path, instance, smtp: SmtpReceiver, webhook: WebhookReceiver
) -> None:
    record(warehouse, "test/orders", [SKU_GAP, PRICE_WARN])
    fail_a_run(instance)
    sensor = Sensor(instance)
    for _ in range(2):
        result = sensor.tick()
        assert result.skip_reason is not None
        assert result.skip_reason.skip_message.startswith("alerts are off: set ALERT_SMTP_HOST")
        assert result.cursor is None
    assert smtp.received() == []
    assert webhook.all_posts() == []


def test_half_configured_email_is_off_and_names_the_missing_variable(
    warehouse: Path, instance, monkeypatch: pytest.MonkeyPatch, smtp: SmtpReceiver
) -> None:
    monkeypatch.setenv("ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ALERT_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("ALERT_TO_OPERATIONS", OPS)
    result = Sensor(instance).tick()
    assert (
        result.skip_reason.skip_message
        == "alerts are off: ALERT_FROM is not set: e-mail alerts are off"
    )
    monkeypatch.setenv("ALERT_FROM", "vp@example.com")
    monkeypatch.setenv("ALERT_SMTP_PASSWORD", "never-in-clear-text")
    monkeypatch.setenv("ALERT_SMTP_USER", "vp")
    result = Sensor(instance).tick()
    assert "ALERT_SMTP_STARTTLS=true" in result.skip_reason.skip_message
    assert "never-in-clear-text" not in result.skip_reason.skip_message
    assert smtp.received() == []


def test_each_new_error_exception_and_failed_run_is_told_once_to_its_owner(
    warehouse: Path, instance, sensor: Sensor, smtp: SmtpReceiver, webhook: WebhookReceiver
) -> None:
    # Open before alerting starts: the existing queue, not news.
    record(warehouse, "test/finance", [DEDUCTION], at=datetime.now(UTC) - timedelta(hours=1))
    fail_a_run(instance)
    started = sensor.tick()
    assert started.skip_reason.skip_message.startswith("alerting started")
    assert smtp.received() == [] and webhook.all_posts() == []

    record(warehouse, "test/orders", [SKU_GAP, PRICE_WARN])
    record(warehouse, "test/finance", [DEDUCTION, _other_deduction()])
    operations_run = fail_a_run(instance)
    finance_run = fail_a_run(instance, loop="finance")
    result = sensor.tick()
    assert result.skip_reason.skip_message.startswith("4 alert(s) delivered (email 4, slack 4)")

    mails = {m.alert_key: m for m in smtp.received()}
    assert len(mails) == len(smtp.received()) == 4
    sku_key = next(k for k in mails if exception_id(SKU_GAP) in k)
    other_key = next(k for k in mails if exception_id(_other_deduction()) in k)
    assert mails[sku_key].rcpt_tos == (OPS,)
    assert mails[other_key].rcpt_tos == (FINANCE,)
    assert mails[f"r:{operations_run}"].rcpt_tos == (OPS,)
    assert mails[f"r:{finance_run}"].rcpt_tos == (FINANCE,)
    # The warn exception, and the deduction already open when alerting started: not told.
    assert not any(exception_id(PRICE_WARN) in k or exception_id(DEDUCTION) in k for k in mails)

    posts = webhook.accepted()
    assert len(posts) == 4
    everyone = [p.payload["text"] for p in webhook.accepted("/hooks/everyone")]
    finance = [p.payload["text"] for p in webhook.accepted("/hooks/finance")]
    assert len(everyone) == 2 and len(finance) == 2
    assert any(exception_id(SKU_GAP) in text for text in everyone)
    assert any(operations_run in text for text in everyone)
    assert any(exception_id(_other_deduction()) in text for text in finance)
    assert any(finance_run in text for text in finance)

    # What the message says.
    body = mails[other_key].body
    assert body.startswith("New error exception for finance: unmapped_deduction_code")
    said = facts(body)
    assert said["Type"].startswith("unmapped_deduction_code")
    assert (said["Owner"], said["Severity"], said["Blocks"]) == ("finance", "error", "gl_posting")
    assert said["Detail"] == "deduction class D77 has no GL account"
    assert said["Reference"] == "250609ACME1"
    assert datetime.fromisoformat(said["First seen"]) > datetime.now(UTC) - timedelta(minutes=5)
    assert said["Runbook"] == (
        "https://git.example.com/vendor_pipelines/docs/runbook.md#unmapped_deduction_code"
    )
    assert facts(mails[sku_key].body)["Blocks"].startswith("nothing")
    assert "RuntimeError: NetSuite answered 503 three times" in mails[f"r:{finance_run}"].body
    assert "docs/runbook.md#transmission_error" in mails[f"r:{finance_run}"].body

    # Later ticks, with the causes still open, tell nothing again.
    record(warehouse, "test/orders", [SKU_GAP, PRICE_WARN])
    for _ in range(2):
        assert sensor.tick().skip_reason.skip_message == "no new error exception or failed run"
    assert len(smtp.received()) == 4 and len(webhook.all_posts()) == 4

    # Resolved, then back: a new event, told once more.
    record(warehouse, "test/orders", [PRICE_WARN])
    assert sensor.tick().skip_reason.skip_message == "no new error exception or failed run"
    record(warehouse, "test/orders", [SKU_GAP, PRICE_WARN])
    assert sensor.tick().skip_reason.skip_message.startswith("1 alert(s) delivered")
    again = [m for m in smtp.received() if exception_id(SKU_GAP) in m.alert_key]
    assert len(again) == 2 and again[0].alert_key != again[1].alert_key
    assert again[1].rcpt_tos == (OPS,)
    assert len(webhook.accepted("/hooks/everyone")) == 3
    assert sensor.tick().skip_reason.skip_message == "no new error exception or failed run"


def facts(body: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in body.splitlines()[2:] if ":" in line)
    return {label.strip(): value.strip() for label, value in pairs}


def _other_deduction() -> Detection:
    return Detection(
        "unmapped_deduction_code",
        "remit|250609ACME1|D77",
        "deduction class D77 has no GL account",
        vendor_code="ACME1",
        reference="250609ACME1",
    )


def test_a_failed_send_is_retried_next_tick_without_repeating_what_succeeded(
    warehouse: Path, instance, sensor: Sensor, smtp: SmtpReceiver, webhook: WebhookReceiver
) -> None:
    sensor.tick()
    record(warehouse, "test/orders", [SKU_GAP])
    run_id = fail_a_run(instance)
    webhook.refuse_next = 1  # the first post (the failed run's) is answered 500
    result = sensor.tick()
    message = result.skip_reason.skip_message
    assert message.startswith("1 alert(s) delivered (email 2, slack 1); 1 delivery failure(s)")
    assert "HTTP 500" in message
    state = AlertState.from_cursor(sensor.cursor)
    assert list(state.pending) == [f"r:{run_id}"]
    assert state.pending[f"r:{run_id}"].channels == ["slack"]
    assert len(smtp.received()) == 2

    result = sensor.tick()
    assert result.skip_reason.skip_message == "1 alert(s) delivered (slack 1)"
    assert len(smtp.received()) == 2  # the e-mails are not sent again
    texts = [p.payload["text"] for p in webhook.accepted()]
    assert len(texts) == 2 and sum(run_id in t for t in texts) == 1
    assert AlertState.from_cursor(sensor.cursor).pending == {}
    assert sensor.tick().skip_reason.skip_message == "no new error exception or failed run"


def test_an_unreachable_smtp_server_leaves_its_mails_pending(
    warehouse: Path, instance, monkeypatch: pytest.MonkeyPatch, webhook: WebhookReceiver
) -> None:
    down = SmtpReceiver().start()
    configure(monkeypatch, down, webhook)
    down.stop()  # nothing listens on its port any more
    sensor = Sensor(instance)
    sensor.tick()
    record(warehouse, "test/orders", [SKU_GAP])
    record(warehouse, "test/finance", [DEDUCTION])
    result = sensor.tick()
    assert "2 delivery failure(s)" in result.skip_reason.skip_message
    assert "ConnectionRefusedError" in result.skip_reason.skip_message
    assert len(webhook.accepted()) == 2
    with SmtpReceiver() as back:
        monkeypatch.setenv("ALERT_SMTP_PORT", str(back.port))
        sensor.alerts = project_resources().resources["alerts"]  # redeployed with the new port
        result = sensor.tick()
        assert result.skip_reason.skip_message == "2 alert(s) delivered (email 2)"
        assert sorted(m.rcpt_tos for m in back.received()) == [(FINANCE,), (OPS,)]
        assert sensor.tick().skip_reason.skip_message == "no new error exception or failed run"
    assert len(webhook.accepted()) == 2


def test_the_feed_is_a_complete_snapshot_beside_the_warehouse(warehouse: Path) -> None:
    assert not exception_feed_file(warehouse).exists()
    record(warehouse, "test/orders", [SKU_GAP, PRICE_WARN])
    feed = exception_feed_file(warehouse)
    assert feed == warehouse.parent / "warehouse.error_exceptions.json"
    events = read_exception_feed(feed)
    assert [(e.exception_type, e.owner, e.resolved_us) for e in events] == [
        ("sku_mapping_gap", "operations", None)
    ]
    # Resolved: still in the feed (within its window), now with when.
    record(warehouse, "test/orders", [])
    (resolved,) = read_exception_feed(feed)
    assert resolved.resolved_us is not None and resolved.key == events[0].key
    # In-memory warehouses (unit tests) have no feed.
    with duckdb.connect() as conn:
        warehouse_schema.apply(conn)
        record_detections(conn, "test/orders", detections=[SKU_GAP])
    assert json.loads(feed.read_text())["version"] == 1


def test_a_tick_delivers_at_most_its_budget_and_the_rest_next_tick(
    warehouse: Path, smtp: SmtpReceiver
) -> None:
    routing = routing_from(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        sender="vp@example.com",
        starttls=False,
        user=None,
        password=None,
        to_finance=None,
        to_operations=OPS,
        webhook=None,
        webhook_finance=None,
        webhook_operations=None,
    )
    state = AlertState.start(0, -1)
    gaps = [
        Detection("sku_mapping_gap", f"asin|B0BUDGET0{n}", f"ASIN B0BUDGET0{n} has no item")
        for n in range(3)
    ]
    record(warehouse, "test/orders", gaps)
    feed = read_exception_feed(exception_feed_file(warehouse))
    failures = [
        RunFailure(
            storage_id=7, run_id="run-seven", job_name="order_sync", failed_at=0, message="x"
        )
    ]
    tick = {
        "feed": feed,
        "run_failures": failures,
        "run_failure_of": lambda run_id: None,
        "routing": routing,
        "runbook_url": "docs/runbook.md",
    }
    first = run_tick(state, **tick, max_alerts=2)
    assert first.summary() == "2 alert(s) delivered (email 2); more next tick"
    ordered = sorted(feed, key=lambda e: (e.first_seen_us, e.exception_id))
    assert state.runs_after == 7
    assert state.exceptions_after == (ordered[0].first_seen_us, ordered[0].exception_id)
    second = run_tick(state, **tick, max_alerts=2)
    assert second.summary() == "2 alert(s) delivered (email 2)"
    assert run_tick(state, **tick).summary() == "no new error exception or failed run"
    assert sorted(m.alert_key for m in smtp.received()) == sorted(
        ["r:run-seven", *(e.key for e in feed)]
    )
    # The cursor (stored by Dagster with every tick) does not grow with what was told.
    assert len(state.to_cursor()) < 120, state.to_cursor()


def test_an_unreadable_cursor_starts_alerting_again_from_now(
    warehouse: Path, sensor: Sensor, smtp: SmtpReceiver
) -> None:
    record(warehouse, "test/orders", [SKU_GAP])
    sensor.cursor = "{not json"
    assert sensor.tick().skip_reason.skip_message.startswith("alerting started")
    assert sensor.tick().skip_reason.skip_message == "no new error exception or failed run"
    assert smtp.received() == []


def test_alert_settings_keep_their_secrets(monkeypatch: pytest.MonkeyPatch, warehouse) -> None:
    monkeypatch.setenv("ALERT_SMTP_PASSWORD", "smtp-secret-never-printed")
    monkeypatch.setenv("ALERT_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/secret")
    settings = load_settings()
    assert settings.alert_smtp_password.get_secret_value() == "smtp-secret-never-printed"
    assert "never-printed" not in repr(settings) and "services/T/B" not in repr(settings)
    assert (settings.alert_smtp_port, settings.alert_smtp_starttls) == (25, False)
    assert settings.alert_runbook_url == "docs/runbook.md"
