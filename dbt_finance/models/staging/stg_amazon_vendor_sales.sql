select
    report_period,
    distributor_view,
    selling_program,
    marketplace_id,  -- one report per marketplace: join on it as well as the ASIN
    asin,
    start_date,
    end_date,
    shipped_units,
    shipped_revenue,
    shipped_cogs,
    shipped_revenue_currency as currency,
    customer_returns,
    ordered_units,
    ordered_revenue
from {{ source('raw', 'amazon_vendor_sales_report') }}
