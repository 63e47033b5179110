"""Failed runs of every job, handed to the exceptions (global automation, not one flow's)."""

from datetime import UTC, datetime

import dagster as dg

from vendor_pipelines.defs.resources import SettingsResource
from vendor_pipelines.exceptions.run_failures import append_failure, failures_file


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Hands failed runs to ops.exceptions (via a file: sensors never open DuckDB).",
)
def record_run_failures(context: dg.RunFailureSensorContext, settings: SettingsResource) -> None:
    run = context.dagster_run
    append_failure(
        failures_file(settings.read().duckdb_path),
        run.run_id,
        run.job_name,
        context.failure_event.message or "run failed",
        datetime.now(UTC),
    )
