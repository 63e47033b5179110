{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='period_date') }}
-- Vendor contribution per ASIN and day (vendor-finance-edi.md §6). Revenue at net cost and COGS
-- come from NetSuite invoices dated that day; deductions from settlements of that day:
-- claims and terms discounts tied to an invoice are spread over that invoice's lines by value,
-- agreement charges (co-op, promotions, allowances, price protection), chargebacks, returns and
-- ads over the customer's ASIN revenue of the trailing 28 days. Provisions are balance sheet
-- only and stay out. Money that cannot be allocated is kept on asin 'UNALLOCATED'.
-- Aggregate days to weeks/months in queries; join vendor reports on asin + date range.
with charges as (
    select c.*, s.customer_id
    from {{ ref('int_settlement_charges') }} as c
    join {{ ref('int_settlements') }} as s using (payment_number)
    where {{ settlement_window('c.settlement_date') }}
      and c.class_code not in ('PROVISION', 'PROVISION_REVERSAL', 'UNKNOWN')
),

window_lines as (
    -- invoice lines dated in the window, plus the 27 days before it (allocation basis)
    select l.*, i.customer_id, i.trandate
    from {{ ref('stg_netsuite_invoice_lines') }} as l
    join {{ ref('stg_netsuite_invoices') }} as i using (invoice_id)
    where {{ settlement_window('i.trandate', 27) }}
),

revenue as (
    select
        asin,
        trandate as period_date,
        sum(quantity) as units_invoiced,
        sum(amount) as revenue_net_cost,
        sum(cogs) as cogs
    from window_lines
    where {{ settlement_window('trandate') }}
    group by all
),

claimed_invoices as (
    select invoice_id, invoice_key
    from {{ ref('stg_netsuite_invoices') }}
    where invoice_key in (
        select base_invoice_key from charges
        where class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL', 'PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL', 'TERMS_DISCOUNT')
    )
),

invoice_shares as (
    select
        c.invoice_key,
        l.asin,
        l.amount / nullif(sum(l.amount) over (partition by c.invoice_key), 0) as share
    from claimed_invoices as c
    join {{ ref('stg_netsuite_invoice_lines') }} as l using (invoice_id)
),

-- Trailing 28-day revenue per customer and ASIN at each charge day, as the difference of two
-- running totals found with ASOF joins: linear in days x ASINs, where a range join on dates
-- would multiply every charge day by four weeks of invoice lines.
daily as (
    select customer_id, asin, trandate as revenue_date, sum(amount) as revenue
    from window_lines
    group by all
),

cumulative as (
    select
        *,
        sum(revenue) over (
            partition by customer_id, asin order by revenue_date
            rows between unbounded preceding and current row
        ) as running_revenue
    from daily
),

pairs as (
    select d.customer_id, d.settlement_date, d.settlement_date - 28 as window_floor, a.asin
    from (select distinct customer_id, settlement_date from charges) as d
    join (select distinct customer_id, asin from daily) as a using (customer_id)
),

trailing_revenue as (
    select
        p.customer_id,
        p.settlement_date,
        p.asin,
        coalesce(upto.running_revenue, 0) - coalesce(before.running_revenue, 0) as revenue
    from pairs as p
    asof left join cumulative as upto
        on upto.customer_id = p.customer_id and upto.asin = p.asin
        and p.settlement_date >= upto.revenue_date
    asof left join cumulative as before
        on before.customer_id = p.customer_id and before.asin = p.asin
        and p.window_floor >= before.revenue_date
),

trailing_shares as (
    select
        customer_id,
        settlement_date,
        asin,
        revenue / nullif(sum(revenue) over (partition by customer_id, settlement_date), 0) as share
    from trailing_revenue
    where revenue > 0
),

linked as (
    select c.settlement_date, s.asin, c.class_code, -c.amount * s.share as cost
    from charges as c
    join invoice_shares as s on s.invoice_key = c.base_invoice_key
    where c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL', 'PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL', 'TERMS_DISCOUNT')
),

unlinked_totals as (
    -- summed per customer, day and class first: allocating each charge on its own would fan
    -- every one of them out over every ASIN
    select customer_id, settlement_date, class_code, sum(amount) as amount
    from charges
    where class_code not in ('SHORTAGE', 'SHORTAGE_REVERSAL', 'PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL', 'TERMS_DISCOUNT')
       or base_invoice_key not in (select invoice_key from claimed_invoices)
    group by all
),

spread as (
    select c.settlement_date, coalesce(t.asin, 'UNALLOCATED') as asin, c.class_code,
           -c.amount * coalesce(t.share, 1) as cost
    from unlinked_totals as c
    left join trailing_shares as t
        on t.customer_id = c.customer_id and t.settlement_date = c.settlement_date
),

allocated as (
    select
        asin,
        settlement_date as period_date,
        sum(cost) filter (where class_code = 'COOP') as coop,
        sum(cost) filter (where class_code = 'PROMOTION') as promotions,
        sum(cost) filter (where class_code = 'PRICE_PROTECTION') as price_protection,
        sum(cost) filter (where class_code = 'DAMAGE_ALLOWANCE') as damage_allowance,
        sum(cost) filter (where class_code = 'FREIGHT_ALLOWANCE') as freight_allowance,
        sum(cost) filter (where class_code = 'CHARGEBACK') as chargebacks,
        sum(cost) filter (where class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL')) as shortages,
        sum(cost) filter (where class_code in ('PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL')) as price_claims,
        sum(cost) filter (where class_code = 'RETURNS') as returns,
        sum(cost) filter (where class_code = 'ADVERTISING') as advertising,
        sum(cost) filter (where class_code = 'TERMS_DISCOUNT') as terms_discounts
    from (select * from linked union all select * from spread)
    group by all
),

combined as (
    select
        coalesce(r.asin, a.asin) as asin,
        coalesce(r.period_date, a.period_date) as period_date,
        coalesce(r.units_invoiced, 0) as units_invoiced,
        coalesce(r.revenue_net_cost, 0) as revenue_net_cost,
        coalesce(a.coop, 0) as coop,
        coalesce(a.promotions, 0) as promotions,
        coalesce(a.price_protection, 0) as price_protection,
        coalesce(a.damage_allowance, 0) as damage_allowance,
        coalesce(a.freight_allowance, 0) as freight_allowance,
        coalesce(a.chargebacks, 0) as chargebacks,
        coalesce(a.shortages, 0) as shortages,
        coalesce(a.price_claims, 0) as price_claims,
        coalesce(a.returns, 0) as returns,
        coalesce(a.advertising, 0) as advertising,
        coalesce(a.terms_discounts, 0) as terms_discounts,
        coalesce(r.cogs, 0) as cogs
    from revenue as r
    full outer join allocated as a on a.asin = r.asin and a.period_date = r.period_date
)

select
    asin || ':' || strftime(period_date, '%Y-%m-%d') as asin_period_id,
    asin,
    period_date,
    units_invoiced,
    revenue_net_cost::decimal(18, 2) as revenue_net_cost,
    coop::decimal(18, 4) as coop,
    promotions::decimal(18, 4) as promotions,
    price_protection::decimal(18, 4) as price_protection,
    damage_allowance::decimal(18, 4) as damage_allowance,
    freight_allowance::decimal(18, 4) as freight_allowance,
    chargebacks::decimal(18, 4) as chargebacks,
    shortages::decimal(18, 4) as shortages,
    price_claims::decimal(18, 4) as price_claims,
    returns::decimal(18, 4) as returns,
    advertising::decimal(18, 4) as advertising,
    terms_discounts::decimal(18, 4) as terms_discounts,
    (coop + promotions + price_protection + damage_allowance + freight_allowance + chargebacks
        + shortages + price_claims + returns + advertising + terms_discounts)::decimal(18, 4)
        as total_deductions,
    cogs::decimal(18, 2) as cogs,
    (revenue_net_cost - coop - promotions - price_protection - damage_allowance - freight_allowance
        - chargebacks - shortages - price_claims - returns - advertising - terms_discounts - cogs
    )::decimal(18, 4) as contribution_margin,
    case when revenue_net_cost <> 0 then
        ((revenue_net_cost - coop - promotions - price_protection - damage_allowance - freight_allowance
          - chargebacks - shortages - price_claims - returns - advertising - terms_discounts - cogs)
         / revenue_net_cost)::double
    end as contribution_margin_pct
from combined
