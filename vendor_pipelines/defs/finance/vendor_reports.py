"""Amazon vendor reports (sales and Net PPM by ASIN), per marketplace, one settlement day per
partition."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.resources import AmazonVendorResource, SettingsResource
from vendor_pipelines.finance.vendor_reports import pull_vendor_reports

SALES = dg.AssetKey(["raw", "amazon_vendor_sales_report"])
NET_PPM = dg.AssetKey(["raw", "amazon_net_ppm_report"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            SALES,
            group_name="finance",
            owners=FINANCE_OWNERS,
            kinds={"python", "duckdb"},
            description="Amazon's vendor sales report by ASIN and day (shipped COGS).",
        ),
        dg.AssetSpec(
            NET_PPM,
            group_name="finance",
            owners=FINANCE_OWNERS,
            kinds={"python", "duckdb"},
            description="Amazon's Net PPM report by ASIN and day (Amazon's margin).",
        ),
    ],
    name="amazon_vendor_reports",
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
)
def amazon_vendor_reports(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    amazon: AmazonVendorResource,
    settings: SettingsResource,
):  # a generator of two materializations
    window = context.partition_time_window
    sales_rows = ppm_rows = 0
    # One report pair per marketplace and settlement day of the partition (a backfill is one
    # run over many days), each asked of the host of the marketplace's region.
    with amazon.clients() as regions, duckdb.get_connection() as conn:
        for marketplace, region in settings.read().report_marketplaces:
            day = window.start.date()
            while day < window.end.date():
                counts = pull_vendor_reports(conn, regions[region], marketplace, day)
                sales_rows, ppm_rows = sales_rows + counts[0], ppm_rows + counts[1]
                day += timedelta(days=1)
    yield dg.MaterializeResult(
        asset_key=SALES, metadata={"dagster/partition_row_count": sales_rows}
    )
    yield dg.MaterializeResult(
        asset_key=NET_PPM, metadata={"dagster/partition_row_count": ppm_rows}
    )
