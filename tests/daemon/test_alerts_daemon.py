"""Alerts to owners under a real daemon: each new error exception and failed run told once.

A code server and `dagster-daemon` (the production topology, SQLite or Postgres instance) run
the project's alerts sensor, configured through the environment, against a local SMTP server
(aiosmtpd) and a local webhook receiver. The test holds the warehouse open for writing the
whole time, as a run would: the sensor never needs DuckDB. Over several ticks, and a daemon
stopped and started again (an exception opens and a run fails while it is down), every alert
arrives exactly once, on each channel, at its owner's address; a webhook post refused once is
retried at the next tick, alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from alert_fixtures import FINANCE, OPS, clear_alert_settings, email_settings, fail_a_run
from alert_receivers import SmtpReceiver, WebhookReceiver
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.scheduler.instigation import TickStatus
from sandbox_flow import wait_until

from vendor_pipelines import warehouse_schema
from vendor_pipelines.deployment.topology import Topology, write_instance
from vendor_pipelines.exceptions.store import Detection, record_detections

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
SENSOR = "owner_alerts_sensor"


def _ticks(instance: dg.DagsterInstance) -> Sequence:
    states = [
        s
        for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        if s.instigator_name == SENSOR
    ]
    if not states:
        return []
    state = states[0]
    return instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=100)


def _wait_ticks(instance: dg.DagsterInstance, after: float, count: int, timeout: float = 30):
    """Wait for `count` finished ticks that started after `after`; return the newest."""

    def done():
        ticks = [
            t for t in _ticks(instance) if t.timestamp > after and t.status != TickStatus.STARTED
        ]
        return ticks[0] if len(ticks) >= count else None

    tick = wait_until(done, timeout, f"{count} tick(s) of {SENSOR}", every=0.5)
    assert tick.status != TickStatus.FAILURE, tick.error
    return tick


ERRORS = {
    "operations": Detection(
        "sku_mapping_gap",
        "asin|B0DAEMON01",
        "ASIN B0DAEMON01 has no NetSuite item",
        asin="B0DAEMON01",
    ),
    "finance": Detection(
        "unmapped_deduction_code",
        "remit|250602ACME1|D42",
        "deduction class D42 has no GL account",
        reference="250602ACME1",
    ),
}
WARNING = Detection("price_discrepancy", "po|4KT7DAEMON|1", "net cost 10.00 vs NetSuite 12.00")
LATER = Detection("asn_rejected", "asn|SHIP-9", "Amazon rejected ASN SHIP-9", reference="SHIP-9")


def test_alerts_are_told_once_across_ticks_and_a_daemon_restart(
    tmp_path: Path, instance_kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_alert_settings(monkeypatch)
    home = tmp_path / "dagster_home"
    warehouse = tmp_path / "warehouse.duckdb"
    with SmtpReceiver() as smtp, WebhookReceiver() as webhook:
        env = write_instance(home, instance_kind) | {
            "DUCKDB_PATH": str(warehouse),
            "ANALYTICS_DUCKDB_PATH": str(tmp_path / "analytics.duckdb"),
            **email_settings(smtp),
            "ALERT_SLACK_WEBHOOK_URL_OPERATIONS": webhook.url("/hooks/operations"),
            "ALERT_SLACK_WEBHOOK_URL_FINANCE": webhook.url("/hooks/finance"),
        }
        for name, value in env.items():  # this process reads and writes the same instance
            monkeypatch.setenv(name, value)
        topology = Topology(
            home,
            env,
            module="alerts_defs",
            attribute="defs",
            working_directory=HERE,
            location_name="alerts_test",
        )
        with (
            topology,
            dg.DagsterInstance.from_config(str(home)) as instance,
            duckdb.connect(str(warehouse)) as writer,  # held like a run holds it, to the end
        ):
            first = _wait_ticks(instance, 0, 1)
            assert first.skip_reason.startswith("alerting started"), first.skip_reason

            warehouse_schema.apply(writer)
            record_detections(writer, "test/orders", detections=[ERRORS["operations"], WARNING])
            record_detections(writer, "test/finance", detections=[ERRORS["finance"]])
            runs = {
                "operations": fail_a_run(instance),
                "finance": fail_a_run(instance, "finance"),
            }
            wait_until(
                lambda: len(smtp.received()) >= 4 and len(webhook.accepted()) >= 4,
                30,
                "4 e-mails and 4 webhook posts",
                every=0.25,
            )
            quiet = _wait_ticks(instance, time.time(), 1)
            assert quiet.skip_reason == "no new error exception or failed run", quiet.skip_reason
            mails, posts = smtp.received(), webhook.accepted()
            assert len(mails) == 4 and len(webhook.all_posts()) == 4
            by_key = {m.alert_key: m for m in mails}
            for owner, address in (("operations", OPS), ("finance", FINANCE)):
                assert by_key[f"r:{runs[owner]}"].rcpt_tos == (address,)
                (exception_mail,) = [
                    m for m in mails if m.alert_key.startswith("x:") and m.rcpt_tos == (address,)
                ]
                assert ERRORS[owner].exception_type in exception_mail.body
                assert f"docs/runbook.md#{ERRORS[owner].exception_type}" in exception_mail.body
                hook = [p.payload["text"] for p in posts if p.path == f"/hooks/{owner}"]
                assert len(hook) == 2
                assert sum(runs[owner] in text for text in hook) == 1
                assert sum(ERRORS[owner].exception_type in text for text in hook) == 1
            assert not any(WARNING.exception_type in m.body for m in mails)

            # The daemon goes down; while it is down an exception opens and a run fails. The new
            # daemon picks up from the stored cursor: those two are told (the first webhook post
            # refused once, then retried alone), the four before are not told again.
            topology.stop_daemon()
            record_detections(writer, "test/fulfilment", detections=[LATER])
            while_down = fail_a_run(instance)
            webhook.refuse_next = 1
            restarted = time.time()
            topology.start_daemon()
            wait_until(lambda: len(webhook.accepted()) == 6, 30, "the refused post", every=0.25)
            after = [t.skip_reason for t in _ticks(instance) if t.timestamp > restarted]
            assert not any(r and r.startswith("alerting started") for r in after), after
            later = smtp.received()[4:]
            assert sorted(m.alert_key.split(":")[0] for m in later) == ["r", "x"]
            assert all(m.rcpt_tos == (OPS,) for m in later)
            assert any(f"r:{while_down}" == m.alert_key for m in later)
            assert any("asn_rejected" in m.body for m in later)
            assert [p.status for p in webhook.all_posts()[4:]] == [500, 200, 200]
            retried = webhook.all_posts()[-1].payload["text"]
            assert while_down in retried
            assert len(smtp.received()) == 6
