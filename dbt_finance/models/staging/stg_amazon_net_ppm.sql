select report_period, marketplace_id, asin, start_date, end_date, net_pure_product_margin
from {{ source('raw', 'amazon_net_ppm_report') }}
