select
    l.invoice_id,
    l.line,
    l.sku,
    coalesce(l.asin, i.asin) as asin,
    l.quantity,
    l.rate,
    l.amount,
    l.quantity * coalesce(i.cost, 0) as cogs,
    i.cost is null as is_missing_cost
from {{ source('raw', 'netsuite_invoice_lines') }} as l
left join {{ source('raw', 'netsuite_items') }} as i on i.sku = l.sku
