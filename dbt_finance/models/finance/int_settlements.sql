{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date') }}
-- One row per payment of the window with the NetSuite customer it settles: the customer of the
-- invoices it pays, else the customer billed under the payee vendor code.
with payments as (
    select * from {{ ref('stg_remittance_payments') }}
    where {{ settlement_window('settlement_date') }}
),

paid_customers as (
    select l.payment_number, mode(i.customer_id) as customer_id
    from {{ ref('int_remittance_lines_classified') }} as l
    join {{ ref('stg_netsuite_invoices') }} as i on i.invoice_key = l.base_invoice_key
    where {{ settlement_window('l.settlement_date') }}
    group by l.payment_number
),

vendor_customers as (
    select vendor_code, mode(customer_id) as customer_id
    from {{ ref('stg_netsuite_invoices') }}
    where vendor_code in (select vendor_code from payments)
    group by vendor_code
)

select
    p.*,
    coalesce(pc.customer_id, vc.customer_id) as customer_id
from payments as p
left join paid_customers as pc using (payment_number)
left join vendor_customers as vc using (vendor_code)
