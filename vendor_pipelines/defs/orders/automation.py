"""Schedules of the order sync and the run-failure sensor operations watch."""

from datetime import UTC, datetime

import dagster as dg

from vendor_pipelines.ops.run_failures import append_failure, failures_file
from vendor_pipelines.settings import load_settings

order_sync_job = dg.define_asset_job(
    "order_sync",
    selection=dg.AssetSelection.assets(
        ["raw", "amazon_purchase_orders"],
        ["orders", "sales_orders"],
        ["orders", "acknowledgements"],
        ["ops", "exceptions"],
    ),
    description="Pull purchase orders, upsert sales orders, acknowledge, refresh exceptions.",
)

catalogue_job = dg.define_asset_job(
    "catalogue_snapshot",
    selection=dg.AssetSelection.groups("orders")
    & dg.AssetSelection.key_prefixes(
        ["raw", "netsuite_items"],
        ["raw", "netsuite_item_stock"],
        ["raw", "netsuite_locations"],
        ["raw", "netsuite_customers"],
    ),
    description="Snapshot the NetSuite catalogue (items, stock, locations, customers).",
)


# Read once when the code location loads, like every other setting.
OPERATIONS_TIMEZONE = load_settings().operations_timezone

order_sync_schedule = dg.ScheduleDefinition(
    name="order_sync_every_15_minutes",
    job=order_sync_job,
    cron_schedule="*/15 * * * *",
    execution_timezone=OPERATIONS_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

catalogue_schedule = dg.ScheduleDefinition(
    name="catalogue_hourly",
    job=catalogue_job,
    cron_schedule="5 * * * *",
    execution_timezone=OPERATIONS_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Hands failed runs to ops.exceptions (via a file: sensors never open DuckDB).",
)
def record_run_failures(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    append_failure(
        failures_file(load_settings().duckdb_path),
        run.run_id,
        run.job_name,
        context.failure_event.message or "run failed",
        datetime.now(UTC),
    )
