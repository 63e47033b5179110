"""The exceptions queue as an asset: open exceptions by owner and type, refreshed every run."""

from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DATA_OWNERS, DUCKDB_POOL
from vendor_pipelines.defs.resources import SettingsResource
from vendor_pipelines.exceptions.run_failures import (
    failure_detections,
    failures_file,
    latest_failures,
)
from vendor_pipelines.exceptions.store import record_detections


def _last_success(instance: dg.DagsterInstance, job_name: str) -> datetime | None:
    runs = instance.get_run_records(
        filters=dg.RunsFilter(job_name=job_name, statuses=[dg.DagsterRunStatus.SUCCESS]),
        limit=1,
    )
    if not runs or runs[0].end_time is None:
        return None
    return datetime.fromtimestamp(runs[0].end_time, tz=UTC)


@dg.asset(
    key=["ops", "exceptions"],
    # After every flow that records detections, so one materialization shows the whole queue.
    deps=[
        ["raw", "amazon_purchase_orders"],
        ["orders", "sales_orders"],
        ["orders", "acknowledgements"],
        ["orders", "closed_po_lines"],
        ["fulfilment", "shipment_confirmations"],
        ["fulfilment", "df_shipments"],
        ["fulfilment", "invoice_submissions"],
        ["fulfilment", "df_inventory_updates"],
    ],
    group_name="operations",
    owners=DATA_OWNERS,
    kinds={"duckdb", "sql"},
    pool=DUCKDB_POOL,
    description="Open and resolved exceptions for operations and finance, one row per cause.",
)
def exceptions(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
) -> dg.MaterializeResult:
    failures = latest_failures(failures_file(settings.read().duckdb_path))
    last_success = {job: _last_success(context.instance, job) for job in failures}
    with duckdb.get_connection() as conn:
        record_detections(
            conn, "dagster/run_failures", detections=failure_detections(failures, last_success)
        )
        by_type = conn.execute(
            """select t.owner, t.exception_type, t.severity,
                      count(e.exception_id) filter (where e.resolved_at is null) as open,
                      count(e.exception_id) filter (where e.resolved_at is not null) as resolved
               from ops.exception_types t left join ops.exceptions e using (exception_type)
               group by all order by t.owner, open desc, t.exception_type"""
        ).df()
        total = conn.execute("select count(*) from ops.exceptions").fetchone()[0]
    open_by_owner = by_type.groupby("owner")["open"].sum().to_dict()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(total),
            "dagster/table_name": "ops.exceptions",
            "open_operations": int(open_by_owner.get("operations", 0)),
            "open_finance": int(open_by_owner.get("finance", 0)),
            "by_type": dg.MetadataValue.md(by_type.to_markdown(index=False)),
        }
    )
