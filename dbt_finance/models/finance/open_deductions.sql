{{ config(materialized='view') }}
-- Deductions Amazon still holds, as of the end of the window (or today), netted against their
-- reversals: shortage / price claims by invoice key, provisions as one running holdback per
-- customer, every other deduction on its own identifier. A view, so the nightly run pays
-- nothing for it; the analytics publish materialises it.
with charges as (
    select
        c.*,
        s.customer_id,
        m.owner,
        m.gl_account_number,
        m.is_disputable,
        m.dispute_window_days,
        case
            when c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL') then 'SHORTAGE'
            when c.class_code in ('PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL') then 'PRICE_CLAIM'
            when c.class_code in ('PROVISION', 'PROVISION_REVERSAL') then 'PROVISION'
            else c.class_code
        end as deduction_family
    from {{ ref('int_settlement_charges') }} as c
    join {{ ref('int_settlements') }} as s using (payment_number)
    left join {{ ref('deduction_gl_mapping') }} as m using (class_code)
    where c.settlement_date <= {{ as_of_date() }}
      and c.class_code not in ('TERMS_DISCOUNT')
),

keyed as (
    select
        *,
        case
            when deduction_family in ('SHORTAGE', 'PRICE_CLAIM')
                then deduction_family || ':' || base_invoice_key
            when deduction_family = 'PROVISION' then 'PROVISION:' || coalesce(customer_id, '?')
            else deduction_family || ':' || reference
        end as deduction_key
    from charges
),

grouped as (
    select
        deduction_key,
        deduction_family as class_code,
        any_value(customer_id) as customer_id,
        any_value(base_invoice_key) as base_invoice_key,
        arg_min(reference, settlement_date) as reference,
        min(settlement_date) as first_settlement_date,
        max(settlement_date) as last_settlement_date,
        -sum(amount) filter (where amount < 0) as deducted_amount,
        coalesce(sum(amount) filter (where amount > 0), 0) as reversed_amount,
        -sum(amount) as open_amount
    from keyed
    group by deduction_key, deduction_family
)

select
    g.*,
    m.owner,
    m.gl_account_number,
    m.gl_account_name,
    m.is_disputable,
    m.dispute_window_days,
    inv.due_date as invoice_due_date,
    -- Shortage and price claims are disputed against the invoice due date; other deductions
    -- from the day Amazon took them.
    case
        when m.dispute_window_days is null then null
        else coalesce(inv.due_date, g.first_settlement_date) + to_days(m.dispute_window_days)
    end::date as dispute_deadline,
    {{ as_of_date() }} - g.first_settlement_date as days_outstanding,
    case
        when inv.due_date is not null and {{ as_of_date() }} < inv.due_date then 'pre-due'
        when {{ as_of_date() }} - coalesce(inv.due_date, g.first_settlement_date) <= 30 then '0-30'
        when {{ as_of_date() }} - coalesce(inv.due_date, g.first_settlement_date) <= 40 then '31-40'
        when {{ as_of_date() }} - coalesce(inv.due_date, g.first_settlement_date) <= 365 then '41-365'
        when {{ as_of_date() }} - coalesce(inv.due_date, g.first_settlement_date) <= 730 then '1-2 years'
        else 'over 2 years'
    end as aging_bucket,
    {{ as_of_date() }} as as_of_date
from grouped as g
left join {{ ref('deduction_gl_mapping') }} as m on m.class_code = g.class_code
left join {{ ref('stg_netsuite_invoices') }} as inv
    on inv.invoice_key = g.base_invoice_key and g.class_code in ('SHORTAGE', 'PRICE_CLAIM')
where g.open_amount > 0
