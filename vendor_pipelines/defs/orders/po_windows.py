"""PO windows: a sensor notices ship windows closing; a run closes what was left open."""

import json
from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.metadata import table
from vendor_pipelines.defs.orders.purchase_orders import PURCHASE_ORDERS
from vendor_pipelines.defs.resources import NetSuiteResource
from vendor_pipelines.defs.scheduling import loop_tags
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.orders.windows import close_expired_lines, due_purchase_orders

CLOSED_PO_LINES = dg.AssetKey(["orders", "closed_po_lines"])


class PoWindowConfig(dg.Config):
    """Which POs to close; empty means every PO whose window has closed and is unprocessed."""

    purchase_order_numbers: list[str] = []


@dg.asset(
    key=CLOSED_PO_LINES,
    deps=[["orders", "sales_orders"]],
    group_name="orders",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "orders"},
    description="Sales order lines closed in NetSuite because their PO's ship window closed.",
)
def closed_po_lines(
    context: dg.AssetExecutionContext,
    config: PoWindowConfig,
    duckdb: DuckDBResource,
    netsuite: NetSuiteResource,
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, netsuite.client() as client:
        targets = config.purchase_order_numbers or due_purchase_orders(conn, datetime.now(UTC))
        report = close_expired_lines(conn, client, targets)
        # Only this run's POs are re-judged; earlier failures stay open until retried.
        record_detections(
            conn,
            f"{CLOSED_PO_LINES.to_user_string()}:{','.join(sorted(targets))[:200]}",
            detections=report.problems,
        )
        total = conn.execute("select count(*) from orders.closed_po_lines").fetchone()[0]
        recent = table(
            conn, "select * from orders.closed_po_lines order by closed_at desc limit 10"
        )
    context.log.info("closed %s lines on %s POs", report.lines_closed, report.purchase_orders)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(total),
            "purchase_orders_this_run": report.purchase_orders,
            "lines_closed_this_run": report.lines_closed,
            "recently_closed": recent,
        }
    )


closed_po_line_checks = exception_checks(CLOSED_PO_LINES.path, ["po_window_closed_open_lines"])

po_window_close_job = dg.define_asset_job(
    "po_window_close",
    selection=dg.AssetSelection.assets(CLOSED_PO_LINES),
    description="Close the open sales order lines of POs whose ship window has closed.",
    tags=loop_tags("orders"),
)


def windows_closed_since(
    windows: dict[str, str], cursor: str | None, now: datetime
) -> list[tuple[str, str]]:
    """(PO, window end) pairs with cursor < end <= now, oldest first."""
    since = datetime.fromisoformat(cursor) if cursor else datetime.min.replace(tzinfo=UTC)
    closed = [
        (po, end) for po, end in windows.items() if since < datetime.fromisoformat(end) <= now
    ]
    return sorted(closed, key=lambda pair: (pair[1], pair[0]))


@dg.sensor(
    job=po_window_close_job,
    minimum_interval_seconds=DEPLOYMENT.sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One closing run per tick for every PO whose ship window closed since the last.",
)
def po_window_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    # The windows come from the purchase order asset's metadata: sensors never open DuckDB.
    event = context.instance.get_latest_materialization_event(PURCHASE_ORDERS)
    if event is None or event.asset_materialization is None:
        return dg.SensorResult(skip_reason="purchase orders not materialized yet")
    entry = event.asset_materialization.metadata.get("open_ship_windows")
    windows = entry.value if entry is not None else {}
    if isinstance(windows, str):
        windows = json.loads(windows)
    closed = windows_closed_since(windows, context.cursor, datetime.now(UTC))
    if not closed:
        return dg.SensorResult(skip_reason="no ship window closed since the last tick")
    # One run for all of them: a run per PO would queue dozens of runs behind the single
    # DuckDB writer, ahead of the order sync. The run key is the newest window end, so a
    # re-evaluated tick never closes the same windows twice.
    last_end = closed[-1][1]
    numbers = sorted({po for po, _ in closed})
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"po-windows:{context.cursor or 'start'}..{last_end}",
                run_config=dg.RunConfig(
                    ops={"orders__closed_po_lines": PoWindowConfig(purchase_order_numbers=numbers)}
                ),
                tags={"purchase_orders": str(len(numbers)), "ship_windows_until": last_end},
            )
        ],
        cursor=last_end,
    )
