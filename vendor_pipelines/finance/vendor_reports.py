"""Land Amazon vendor reports (sales, Net PPM) per ASIN and day, idempotently per day and
marketplace (a vendor selling in several regions has one report pair per marketplace).

These are Amazon's view of an ASIN (its shipped COGS, its margin); `marts.asin_profitability`
is ours. Both are kept so analysts can put them side by side.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from vendor_pipelines.amazon.client import AmazonVendorClient
from vendor_pipelines.amazon.models.reports import (
    VENDOR_NET_PPM_REPORT,
    VENDOR_SALES_REPORT,
    VendorNetPureProductMarginReport,
    VendorSalesReport,
)

SALES_OPTIONS = {
    "reportPeriod": "DAY",
    "distributorView": "MANUFACTURING",
    "sellingProgram": "RETAIL",
}
PPM_OPTIONS = {"reportPeriod": "DAY"}


def _replace_day(
    conn: duckdb.DuckDBPyConnection, table: str, day: date, marketplace_id: str, frame: pd.DataFrame
) -> int:
    conn.execute(
        f"delete from {table} where start_date = ? and marketplace_id = ?", [day, marketplace_id]
    )
    if frame.empty:
        return 0
    conn.register("report_frame", frame)
    try:
        columns = ", ".join(frame.columns)
        conn.execute(f"insert into {table} ({columns}) select {columns} from report_frame")
    finally:
        conn.unregister("report_frame")
    return len(frame)


def land_vendor_reports(
    conn: duckdb.DuckDBPyConnection,
    day: date,
    marketplace_id: str,
    sales: VendorSalesReport,
    ppm: VendorNetPureProductMarginReport,
) -> tuple[int, int]:
    """Replace the day's rows of both report tables; return (sales rows, Net PPM rows)."""
    options = sales.reportSpecification.reportOptions
    sales_rows = pd.DataFrame(
        [
            {
                "report_period": options.get("reportPeriod", "DAY"),
                "distributor_view": options.get("distributorView", "MANUFACTURING"),
                "selling_program": options.get("sellingProgram", "RETAIL"),
                "marketplace_id": marketplace_id,
                "asin": row.asin,
                "start_date": row.startDate,
                "end_date": row.endDate,
                "customer_returns": row.customerReturns,
                "ordered_revenue": row.orderedRevenue.amount if row.orderedRevenue else None,
                "ordered_revenue_currency": row.orderedRevenue.currencyCode
                if row.orderedRevenue
                else None,
                "ordered_units": row.orderedUnits,
                "shipped_cogs": row.shippedCogs.amount,
                "shipped_cogs_currency": row.shippedCogs.currencyCode,
                "shipped_revenue": row.shippedRevenue.amount,
                "shipped_revenue_currency": row.shippedRevenue.currencyCode,
                "shipped_units": row.shippedUnits,
            }
            for row in sales.salesByAsin
            if row.startDate == day
        ]
    )
    ppm_rows = pd.DataFrame(
        [
            {
                "report_period": ppm.reportSpecification.reportOptions.get("reportPeriod", "DAY"),
                "marketplace_id": marketplace_id,
                "asin": row.asin,
                "start_date": row.startDate,
                "end_date": row.endDate,
                "net_pure_product_margin": float(row.netPureProductMargin),
            }
            for row in ppm.netPureProductMarginByAsin
            if row.startDate == day
        ]
    )
    return (
        _replace_day(conn, "raw.amazon_vendor_sales_report", day, marketplace_id, sales_rows),
        _replace_day(conn, "raw.amazon_net_ppm_report", day, marketplace_id, ppm_rows),
    )


def pull_vendor_reports(
    conn: duckdb.DuckDBPyConnection, amazon: AmazonVendorClient, marketplace_id: str, day: date
) -> tuple[int, int]:
    """Request, download and land one marketplace's sales and Net PPM reports for one day."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1) - timedelta(seconds=1)
    sales = amazon.fetch_report(
        VENDOR_SALES_REPORT,
        [marketplace_id],
        data_start_time=start,
        data_end_time=end,
        report_options=SALES_OPTIONS,
    )
    ppm = amazon.fetch_report(
        VENDOR_NET_PPM_REPORT,
        [marketplace_id],
        data_start_time=start,
        data_end_time=end,
        report_options=PPM_OPTIONS,
    )
    return land_vendor_reports(conn, day, marketplace_id, sales, ppm)
