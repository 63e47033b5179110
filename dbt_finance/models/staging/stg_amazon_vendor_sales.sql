select
    report_period,
    distributor_view,
    selling_program,
    asin,
    start_date,
    end_date,
    shipped_units,
    shipped_revenue,
    shipped_cogs,
    customer_returns,
    ordered_units,
    ordered_revenue
from {{ source('raw', 'amazon_vendor_sales_report') }}
