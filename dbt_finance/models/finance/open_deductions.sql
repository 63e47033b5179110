{{ config(materialized='view') }}
-- Deductions Amazon still holds, as of the end of the window (or today), one row per claim,
-- netted against its own reversals: a shortage claim with the reversals that name it
-- (links_to), a provision with its own reversal, a price claim per invoice (it has no id of its
-- own), every other deduction on its identifier. A view, so the nightly run pays nothing for
-- it; the analytics publish materialises it.
-- Dispute clocks (vendor-finance-edi.md §2, §3.3): shortage and price claims run from the due
-- date of the invoice they adjust (NetSuite's, from its terms), other deductions from the day
-- Amazon took them; shortage and price claims can never be disputed more than 24 months after
-- the invoice date. The close pack renders this model as of a past month's last day
-- (vendor_pipelines.finance.dbt_sql), so keep it to refs, vars and the project's macros.
with charges as (
    select
        c.*,
        s.customer_id,
        s.currency,
        case
            when c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL') then 'SHORTAGE'
            when c.class_code in ('PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL') then 'PRICE_CLAIM'
            when c.class_code in ('PROVISION', 'PROVISION_REVERSAL') then 'PROVISION'
            else c.class_code
        end as deduction_family
    from {{ ref('int_settlement_charges') }} as c
    join {{ ref('int_settlements') }} as s using (payment_number)
    where c.settlement_date <= {{ as_of_date() }}
      and c.class_code not in ('TERMS_DISCOUNT')
),

grouped as (
    select
        deduction_family || ':' || claim_key as deduction_key,
        deduction_family as class_code,
        claim_key,
        any_value(customer_id) as customer_id,
        any_value(vendor_code) as vendor_code,
        any_value(currency) as currency,
        -- the claim's own line names the claim; a reversal seen before its claim still counts
        coalesce(arg_min(reference, settlement_date) filter (where amount < 0),
                 arg_min(reference, settlement_date)) as reference,
        any_value(original_invoice) as original_invoice,
        min(settlement_date) filter (where amount < 0) as claimed_on,
        min(settlement_date) as first_settlement_date,
        max(settlement_date) as last_settlement_date,
        count(*) as line_count,
        coalesce(-sum(amount) filter (where amount < 0), 0) as deducted_amount,
        coalesce(sum(amount) filter (where amount > 0), 0) as reversed_amount,
        -sum(amount) as open_amount
    from charges
    group by all
),

dated as (
    select
        g.*,
        inv.due_date as invoice_due_date,
        inv.trandate as invoice_date,
        -- the day each clock starts from
        case
            when g.class_code in ('SHORTAGE', 'PRICE_CLAIM') and inv.due_date is not null
                then inv.due_date
            else coalesce(g.claimed_on, g.first_settlement_date)
        end as clock_start,
        case
            when g.class_code in ('SHORTAGE', 'PRICE_CLAIM') and inv.due_date is not null
                then 'invoice_due_date'
            when g.class_code in ('SHORTAGE', 'PRICE_CLAIM') then 'settlement_date_no_due_date'
            else 'settlement_date'
        end as clock_basis
    from grouped as g
    left join {{ ref('stg_netsuite_invoices') }} as inv
        on inv.invoice_key = g.original_invoice and g.class_code in ('SHORTAGE', 'PRICE_CLAIM')
),

deadlined as (
    select
        d.*,
        m.owner,
        m.gl_account_number,
        m.gl_account_name,
        m.is_disputable,
        m.dispute_window_days,
        {{ dispute_deadline('d.class_code', 'd.clock_start', 'd.invoice_date',
                            'm.dispute_window_days') }} as dispute_deadline
    from dated as d
    left join {{ ref('deduction_gl_mapping') }} as m on m.class_code = d.class_code
    where d.open_amount > 0
)

select
    *,
    dispute_deadline - {{ as_of_date() }} as days_to_deadline,
    {{ as_of_date() }} - first_settlement_date as days_outstanding,
    case
        when clock_basis = 'invoice_due_date' and {{ as_of_date() }} < clock_start then 'pre-due'
        when {{ as_of_date() }} - clock_start <= 30 then '0-30'
        when {{ as_of_date() }} - clock_start <= 40 then '31-40'
        when {{ as_of_date() }} - clock_start <= 365 then '41-365'
        when {{ as_of_date() }} - clock_start <= 730 then '1-2 years'
        else 'over 2 years'
    end as aging_bucket,
    {{ as_of_date() }} as as_of_date
from deadlined
