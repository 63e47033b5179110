"""Order acknowledgements to Amazon (RP per line, DF whole order), tracked to a final status."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.metadata import submission_result
from vendor_pipelines.defs.orders.sales_orders import order_rules
from vendor_pipelines.defs.resources import (
    AmazonVendorResource,
    NetSuiteResource,
    SettingsResource,
)
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.orders.detections import ACKNOWLEDGEMENT_PROBLEMS
from vendor_pipelines.orders.plans import ACK_CHANNELS
from vendor_pipelines.orders.sync import submit_acknowledgements

ACKNOWLEDGEMENTS = dg.AssetKey(["orders", "acknowledgements"])


@dg.asset(
    key=ACKNOWLEDGEMENTS,
    deps=[["orders", "sales_orders"], ["raw", "netsuite_item_stock"]],
    group_name="orders",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "orders"},
    description="Acknowledgements sent to Amazon from NetSuite stock, polled to Success/Failure.",
)
def acknowledgements(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    amazon: AmazonVendorResource,
    netsuite: NetSuiteResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    rules = order_rules(settings.read())
    with (
        duckdb.get_connection() as conn,
        amazon.clients() as client,
        netsuite.client() as netsuite_client,
    ):
        report = submit_acknowledgements(conn, client, rules, netsuite_client)
        record_detections(
            conn,
            ACKNOWLEDGEMENTS.to_user_string(),
            query=ACKNOWLEDGEMENT_PROBLEMS,
            params=[rules.acknowledgement_deadline_hours, rules.acknowledgement_deadline_hours],
            detections=report.transmission_errors,
        )
        context.log.info(
            "acknowledgements: %s accepted by Amazon, %s failed, %s still processing",
            report.succeeded,
            report.failed,
            report.processing,
        )
        return submission_result(conn, [ACK_CHANNELS["RP"], ACK_CHANNELS["DF"]], report)


acknowledgement_checks = exception_checks(
    ACKNOWLEDGEMENTS.path,
    ["acknowledgement_failed", "acknowledgement_overdue"],
)
