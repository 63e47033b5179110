"""Alerts to owners: a sensor tells each new error exception and each failed run, once.

Messages, delivery and the once-only bookkeeping live in `vendor_pipelines/exceptions/alerts.py`;
this module holds the resource (the ALERT_* settings, built in `defs/resources.py`) and the sensor.

Why a plain sensor and not `dg.run_failure_sensor` (as `record_run_failures` is): a run status
sensor manages its own cursor and moves it past a run even when the function raised, so a
failed e-mail or webhook post would never be retried. This sensor reads the same run-failure
events (`instance.fetch_run_status_changes`) after a storage id it keeps in its own cursor,
together with what is still owed, so a failed send is retried at the next tick on the failed
channel only. Exceptions come from the feed `record_detections` writes
beside the warehouse: the sensor never opens DuckDB, not even read-only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.exceptions.alerts import (
    MAX_ALERTS_PER_TICK,
    AlertState,
    FeedUnavailable,
    Routing,
    RunFailure,
    read_exception_feed,
    routing_from,
    run_tick,
)

OFF = (
    "alerts are off: set ALERT_SMTP_HOST, ALERT_FROM and ALERT_TO_FINANCE/ALERT_TO_OPERATIONS,"
    " or ALERT_SLACK_WEBHOOK_URL"
)


class AlertsResource(dg.ConfigurableResource):
    """Where alerts go (the ALERT_* settings) and where the exception feed is read.

    Everything unset (the default) means alerts are off; the sensor then skips, saying so.
    """

    exception_feed: str
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    sender: str | None = None
    to_finance: str | None = None
    to_operations: str | None = None
    slack_webhook_url: str | None = None
    slack_webhook_url_finance: str | None = None
    slack_webhook_url_operations: str | None = None
    runbook_url: str = "docs/runbook.md"
    dagster_url: str | None = None

    def routing(self) -> Routing:
        return routing_from(
            smtp_host=self.smtp_host or None,
            smtp_port=self.smtp_port,
            sender=self.sender or None,
            starttls=self.smtp_starttls,
            user=self.smtp_user or None,
            password=self.smtp_password or None,
            to_finance=self.to_finance,
            to_operations=self.to_operations,
            webhook=self.slack_webhook_url or None,
            webhook_finance=self.slack_webhook_url_finance or None,
            webhook_operations=self.slack_webhook_url_operations or None,
        )


def latest_run_failure(instance: dg.DagsterInstance) -> int:
    records = instance.fetch_run_status_changes(dg.DagsterEventType.RUN_FAILURE, limit=1).records
    return records[0].storage_id if records else -1


def run_failures_after(
    instance: dg.DagsterInstance, after: int, limit: int = MAX_ALERTS_PER_TICK
) -> Iterator[RunFailure]:
    """The run-failure events after storage id `after`, oldest first, with their runs' details."""
    records = instance.fetch_run_status_changes(
        dg.RunStatusChangeRecordsFilter(
            event_type=dg.DagsterEventType.RUN_FAILURE, after_storage_id=after
        ),
        limit=limit,
        ascending=True,
    ).records
    run_ids = list({r.event_log_entry.run_id for r in records})
    runs = (
        {
            r.dagster_run.run_id: r.dagster_run
            for r in instance.get_run_records(filters=dg.RunsFilter(run_ids=run_ids))
        }
        if run_ids
        else {}
    )
    for record in records:
        yield _run_failure(instance, record, runs.get(record.event_log_entry.run_id))


def run_failure_of(instance: dg.DagsterInstance, run_id: str) -> RunFailure | None:
    """A failed run's alert details again, for a retry (None once the run is deleted)."""
    run = instance.get_run_by_id(run_id)
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.RUN_FAILURE, limit=1, ascending=False
    ).records
    return _run_failure(instance, records[0], run) if run is not None and records else None


def _run_failure(
    instance: dg.DagsterInstance, record: dg.EventLogRecord, run: dg.DagsterRun | None
) -> RunFailure:
    entry = record.event_log_entry
    tags = run.tags if run is not None else {}
    event = entry.dagster_event
    message = (event.message if event else None) or entry.message or "run failed"
    error = getattr(event.event_specific_data, "error", None) if event else None
    if error is not None and error.message and error.message.strip() not in message:
        message = f"{message} {error.message.strip()}"
    return RunFailure(
        storage_id=record.storage_id,
        run_id=entry.run_id,
        job_name=run.job_name if run is not None else (entry.job_name or "unknown job"),
        failed_at=entry.timestamp,
        message=message,
        loop=tags.get("loop"),
        failed_steps=_failed_steps(instance, entry.run_id),
        will_retry=_flag(tags.get("dagster/will_retry")),
        retry_number=int(tags.get("dagster/retry_number", "0") or 0),
    )


def _failed_steps(instance: dg.DagsterInstance, run_id: str) -> tuple[str, ...]:
    steps = []
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.STEP_FAILURE, limit=10
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        error = getattr(event.event_specific_data, "error", None)
        # The user's exception is the cause of Dagster's "error occurred while executing".
        while error is not None and error.cause is not None:
            error = error.cause
        reason = error.message.strip() if error is not None and error.message else "failed"
        steps.append(f"{event.step_key} ({reason[:300]})")
    return tuple(steps)


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.lower() == "true"


def _state(context: dg.SensorEvaluationContext) -> AlertState | None:
    try:
        return AlertState.from_cursor(context.cursor)
    except (ValueError, KeyError, TypeError) as exc:
        # Starting again from now repeats nothing (older news is not news) and loses at most
        # what was pending; an evaluation failing at every tick would tell nothing at all.
        context.log.error(f"alert cursor unreadable ({exc}); alerting starts again from now")
        return None


def tell_owners(context: dg.SensorEvaluationContext, alerts: AlertsResource) -> dg.SensorResult:
    """One tick: deliver what is due; the cursor keeps how far it got and what is still owed."""
    routing = alerts.routing()
    if not routing.is_on:
        reason = f"alerts are off: {routing.problems[0]}" if routing.problems else OFF
        return dg.SensorResult(skip_reason=reason)
    state = _state(context)
    if state is None:
        state = AlertState.start(time.time(), latest_run_failure(context.instance))
        return dg.SensorResult(
            skip_reason="alerting started: error exceptions and failed runs from now on are told",
            cursor=state.to_cursor(),
        )
    notes = list(routing.problems)
    try:
        feed = read_exception_feed(Path(alerts.exception_feed))
    except FeedUnavailable as exc:
        feed = None
        notes.append(str(exc))
    report = run_tick(
        state,
        feed=feed,
        run_failures=run_failures_after(context.instance, state.runs_after),
        run_failure_of=lambda run_id: run_failure_of(context.instance, run_id),
        routing=routing,
        runbook_url=alerts.runbook_url,
        dagster_url=alerts.dagster_url,
    )
    for key in report.alerts:
        context.log.info(f"alert {key} delivered")
    for failure in report.failures:
        context.log.warning(f"alert not delivered, retried next tick: {failure}")
    for key in report.gave_up:
        context.log.error(f"alert {key} given up (see the sensor's log for why)")
    return dg.SensorResult(
        skip_reason="; ".join([report.summary(), *notes]),
        cursor=state.to_cursor(),
    )


def owner_alerts_sensor_at(minimum_interval_seconds: int) -> dg.SensorDefinition:
    """The alerts sensor at a cadence; the code location's looks every SENSOR_INTERVAL_SECONDS."""
    return dg.sensor(
        name="owner_alerts_sensor",
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Tells the owner (ALERT_TO_FINANCE / ALERT_TO_OPERATIONS, Slack webhooks) of each new "
            "error exception and each failed run, once; a failed send is retried at the next "
            "tick. Off until ALERT_* is configured."
        ),
    )(tell_owners)


owner_alerts_sensor = owner_alerts_sensor_at(DEPLOYMENT.sensor_interval_seconds)
