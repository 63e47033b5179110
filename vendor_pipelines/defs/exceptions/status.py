"""The integration status as an asset: one row per flow, refreshed as the flows land."""

from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DATA_OWNERS, DUCKDB_POOL
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.finance.automation import (
    nightly_settlement_schedule,
    retry_held_settlements,
    settle_loaded_days,
)
from vendor_pipelines.defs.finance.remittances import remittance_inbox_sensor
from vendor_pipelines.defs.fulfilment.automation import fulfilment_sync_schedule
from vendor_pipelines.defs.fulfilment.inventory import df_inventory_schedule
from vendor_pipelines.defs.orders.automation import catalogue_schedule, order_sync_schedule
from vendor_pipelines.defs.orders.pii_purge import pii_purge_schedule
from vendor_pipelines.defs.orders.po_windows import po_window_sensor
from vendor_pipelines.defs.scheduling import loop_tags
from vendor_pipelines.integration_status import (
    COLUMNS,
    FLOWS,
    HEALTH_RULE,
    TABLE,
    Flow,
    Incident,
    Trigger,
    first_line,
    flow_status,
    next_run,
    render_markdown,
    run_failed_flow,
    warehouse_facts,
    write_status,
)

INTEGRATION_STATUS = dg.AssetKey(["ops", "integration_status"])

# How each job is launched in this code location: the schedules' cron and timezone, the sensors.
SCHEDULES = (
    order_sync_schedule,
    catalogue_schedule,
    fulfilment_sync_schedule,
    df_inventory_schedule,
    nightly_settlement_schedule,
    pii_purge_schedule,
)
SENSORS = (po_window_sensor, remittance_inbox_sensor, settle_loaded_days, retry_held_settlements)

# Failed runs of a job looked at per refresh to find each of its flows' last error.
FAILED_RUNS_LOOKED_AT = 20
_RUN_EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.RUN_FAILURE,
}

# Refreshed when any flow lands (at most once per sensor interval) and at least every 15 min,
# so ages and overdue items move on even while every flow fails.
REFRESH_CRON = "*/15 * * * *"
REFRESH = (
    dg.AutomationCondition.newly_missing()
    | dg.AutomationCondition.any_deps_updated()
    | dg.AutomationCondition.cron_tick_passed(REFRESH_CRON, DEPLOYMENT.operations_timezone)
).since_last_handled() & ~dg.AutomationCondition.in_progress()


def triggers() -> dict[str, Trigger]:
    """Per job name: its schedules (name, cron, timezone) and sensors."""
    jobs: dict[str, dict[str, list]] = {}
    for schedule in SCHEDULES:
        entry = jobs.setdefault(schedule.job_name, {"schedules": [], "sensors": []})
        entry["schedules"].append(
            (schedule.name, schedule.cron_schedule, schedule.execution_timezone or "UTC")
        )
    for sensor in SENSORS:
        for job in sensor.jobs:
            entry = jobs.setdefault(job.name, {"schedules": [], "sensors": []})
            entry["sensors"].append(sensor.name)
    return {
        job: Trigger(schedules=tuple(entry["schedules"]), sensors=tuple(entry["sensors"]))
        for job, entry in jobs.items()
    }


def last_success(instance: dg.DagsterInstance, flow: Flow) -> datetime | None:
    records = instance.fetch_materializations(dg.AssetKey(list(flow.key_asset)), limit=1).records
    return datetime.fromtimestamp(records[0].timestamp, tz=UTC) if records else None


def _error_text(run_id: str, events: list[dg.EventLogRecord]) -> str:
    """`run <id> failed at <step>: <first line of the step's error>` (else the run's)."""
    for record in events:
        event = record.event_log_entry.dagster_event
        if event is not None and event.is_step_failure:
            error = event.step_failure_data.error
            # The step wrapper's message names the op; the user's error is its cause.
            if error is not None and error.cause is not None:
                error = error.cause
            message = first_line(error.message if error else "")
            return f"run {run_id[:8]} failed at {event.step_key}: {message}"
    for record in events:
        event = record.event_log_entry.dagster_event
        if event is not None and event.event_type == dg.DagsterEventType.RUN_FAILURE:
            return f"run {run_id[:8]} failed: {first_line(record.event_log_entry.message)}"
    return f"run {run_id[:8]} failed"


def failed_runs(instance: dg.DagsterInstance, job: str, flows: list[Flow]) -> dict[str, Incident]:
    """Each flow's latest failed run of `job`: one that was to materialize its key asset and
    did not (a run failing further down belongs to the flows further down)."""
    found: dict[str, Incident] = {}
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=job, statuses=[dg.DagsterRunStatus.FAILURE]),
        limit=FAILED_RUNS_LOOKED_AT,
    )
    for run_record in records:
        if len(found) == len(flows):
            break
        run = run_record.dagster_run
        events = list(instance.get_records_for_run(run.run_id, of_type=_RUN_EVENTS).records)
        planned, materialized = set(), set()
        for record in events:
            event = record.event_log_entry.dagster_event
            if event is None or event.asset_key is None:
                continue
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
                planned.add(tuple(event.asset_key.path))
            elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                materialized.add(tuple(event.asset_key.path))
        ended = run_record.end_time or run_record.update_timestamp.timestamp()
        incident = Incident(datetime.fromtimestamp(ended, tz=UTC), _error_text(run.run_id, events))
        for flow in flows:
            if flow.id not in found and run_failed_flow(flow.key_asset, planned, materialized):
                found[flow.id] = incident
    return found


STATUS_SCHEMA = dg.TableSchema(
    columns=[dg.TableColumn(name, kind, description=text) for name, kind, text in COLUMNS]
)


@dg.asset(
    key=INTEGRATION_STATUS,
    # It reads every flow's key asset (through the instance) and the exceptions queue.
    deps=[dg.AssetKey(list(flow.key_asset)) for flow in FLOWS] + [["ops", "exceptions"]],
    group_name="operations",
    owners=DATA_OWNERS,
    kinds={"python", "duckdb", "sql"},
    pool=DUCKDB_POOL,
    tags={"domain": "ops"},
    automation_condition=REFRESH,
    metadata={
        "dagster/table_name": TABLE,
        "dagster/column_schema": STATUS_SCHEMA,
        "health_rule": HEALTH_RULE,
    },
    description="One row per flow: last success, records moved, next run, last error, health.",
)
def integration_status(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    now = datetime.now(UTC)
    instance = context.instance
    by_job = triggers()
    errors: dict[str, Incident] = {}
    for job in sorted({flow.job for flow in FLOWS}):
        errors |= failed_runs(instance, job, [flow for flow in FLOWS if flow.job == job])
    with duckdb.get_connection() as conn:
        # Settlement days are counted in the partitions' (finance) timezone.
        facts, unmapped = warehouse_facts(conn, now, DEPLOYMENT.finance_timezone)
        statuses = [
            flow_status(
                flow,
                last_success_at=last_success(instance, flow),
                failed_run=errors.get(flow.id),
                next_run=next_run(by_job.get(flow.job, Trigger()), now),
                facts=facts[flow.id],
            )
            for flow in FLOWS
        ]
        rows = write_status(conn, statuses, now)
    unhealthy = [s for s in statuses if not s.healthy]
    context.log.info(
        f"{len(unhealthy)} of {rows} flows unhealthy: "
        + (", ".join(s.flow.label for s in unhealthy) or "none")
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "status": dg.MetadataValue.md(render_markdown(statuses, now)),
            # Numbers, so the UI plots them over time.
            "unhealthy_flows": len(unhealthy),
            "unhealthy_operations_flows": sum(s.flow.owner == "operations" for s in unhealthy),
            "unhealthy_finance_flows": sum(s.flow.owner == "finance" for s in unhealthy),
            "overdue_items": sum(len(s.overdue_items) for s in statuses),
            "unmapped_open_exceptions": unmapped,
        }
    )


integration_status_automation = dg.AutomationConditionSensorDefinition(
    "integration_status_automation",
    target=dg.AssetSelection.assets(INTEGRATION_STATUS),
    run_tags=loop_tags("housekeeping"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=300,
    description="Refreshes ops/integration_status when flows land (at most every 5 minutes) "
    "and at least every 15 minutes.",
)
