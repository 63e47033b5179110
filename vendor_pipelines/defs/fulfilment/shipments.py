"""Shipment notices to Amazon: RP ASNs (validated, Original/Replace) and DF confirmations."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.fulfilment.netsuite import ITEM_FULFILMENTS
from vendor_pipelines.defs.metadata import submission_result
from vendor_pipelines.defs.resources import AmazonVendorResource
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.fulfilment.df import confirm_df_shipments, df_detections_sql
from vendor_pipelines.fulfilment.shipments import confirm_rp_shipments, rp_detections_sql

SHIPMENT_CONFIRMATIONS = dg.AssetKey(["fulfilment", "shipment_confirmations"])
DF_SHIPMENTS = dg.AssetKey(["fulfilment", "df_shipments"])


@dg.asset(
    key=SHIPMENT_CONFIRMATIONS,
    deps=[ITEM_FULFILMENTS, ["orders", "acknowledgements"]],
    group_name="fulfilment",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "fulfilment"},
    description="RP ASNs, one per fulfilment, gated on SSCC/weight/quantities, polled to a result.",
)
def shipment_confirmations(
    duckdb: DuckDBResource, amazon: AmazonVendorResource
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, amazon.clients() as client:
        report = confirm_rp_shipments(conn, client)
        record_detections(
            conn,
            SHIPMENT_CONFIRMATIONS.to_user_string(),
            query=rp_detections_sql(),
            detections=report.transmission_errors,
        )
        return submission_result(
            conn,
            ["amazon.rp.shipmentConfirmation", "amazon.rp.shipmentConfirmation.replace"],
            report,
        )


@dg.asset(
    key=DF_SHIPMENTS,
    deps=[ITEM_FULFILMENTS, ["orders", "acknowledgements"]],
    group_name="fulfilment",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "fulfilment"},
    description="DF ship confirmations (complete orders only) and shipment status updates.",
)
def df_shipments(duckdb: DuckDBResource, amazon: AmazonVendorResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, amazon.clients() as client:
        report = confirm_df_shipments(conn, client)
        record_detections(
            conn,
            DF_SHIPMENTS.to_user_string(),
            query=df_detections_sql(),
            detections=report.transmission_errors,
        )
        return submission_result(
            conn, ["amazon.df.shipmentConfirmation", "amazon.df.shipmentStatus"], report
        )


shipment_confirmation_checks = exception_checks(
    SHIPMENT_CONFIRMATIONS.path,
    ["asn_validation_failed", "asn_quantity_mismatch", "asn_rejected"],
)
df_shipment_checks = exception_checks(DF_SHIPMENTS.path, ["df_partial_held"])
