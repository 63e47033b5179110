{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='period_date',
    on_schema_change='append_new_columns'
) }}
{%- set out_of_mart = "('PROVISION', 'PROVISION_REVERSAL', 'TAX_WITHHELD', 'PAYMENT_ADJUSTMENT', 'UNKNOWN')" %}
{%- set invoice_classes = "('SHORTAGE', 'SHORTAGE_REVERSAL', 'PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL', 'DUPLICATE_BILLING', 'TERMS_DISCOUNT')" %}
{#- The mart's deduction columns, each with the charge classes it sums; the last takes every
    other class in the mart. -#}
{%- set deduction_columns = [
    ('coop', ['COOP']),
    ('promotions', ['PROMOTION']),
    ('price_protection', ['PRICE_PROTECTION']),
    ('damage_allowance', ['DAMAGE_ALLOWANCE']),
    ('freight_allowance', ['FREIGHT_ALLOWANCE']),
    ('chargebacks', ['CHARGEBACK']),
    ('shortages', ['SHORTAGE', 'SHORTAGE_REVERSAL']),
    ('price_claims', ['PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL']),
    ('returns', ['RETURNS']),
    ('advertising', ['ADVERTISING']),
    ('terms_discounts', ['TERMS_DISCOUNT']),
    ('other_deductions', []),
] %}
-- Vendor contribution per ASIN and day (vendor-finance-edi.md §6). Revenue at net cost and COGS
-- come from NetSuite invoices dated that day; deductions from settlements of that day:
-- claims (shortages, price claims, duplicate billing) and terms discounts tied to an invoice
-- are spread over that invoice's ASINs by line value, agreement charges (co-op, promotions,
-- allowances, price protection), chargebacks, returns and ads over the customer's ASIN revenue
-- of the trailing 28 days; a claim whose invoice is not in NetSuite or has no line of positive
-- value is spread like them. Provisions, tax withheld and payment adjustments are balance sheet
-- only and stay out, as do UNKNOWN charges until finance types them; every other class is in
-- the mart, in other_deductions when it has no column of its own. Money that cannot be
-- allocated is kept on asin 'UNALLOCATED'.
-- Every money column is to the cent. Each pool spread (one invoice's claims of a class and day,
-- one customer's unlinked charges of a class and day) is split in whole cents by the largest
-- remainder method: every ASIN gets the floor of its exact share, the cents left over go one
-- each to the largest remainders, ties to the lowest asin. A reversal (negative pool) is split
-- on its absolute value with the sign restored, so it mirrors the charge it reverses. The cents
-- of a pool add up to the pool exactly: per day and class in the mart, the mart ties to the
-- charges of finance.int_settlement_charges, and so to finance.gl_postings.
-- Aggregate days to weeks/months in queries; join vendor reports on asin + date range.
with charges as (
    -- base_invoice_key here is the invoice the charge adjusts: an adjustment inside an 820
    -- invoice loop, or an export line naming its original invoice, spreads over that invoice
    select c.* replace (coalesce(c.original_invoice, c.base_invoice_key) as base_invoice_key),
           s.customer_id
    from {{ ref('int_settlement_charges') }} as c
    join {{ ref('int_settlements') }} as s using (payment_number)
    where {{ settlement_window('c.settlement_date') }}
      and c.class_code not in {{ out_of_mart }}
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

invoice_weights as (
    -- allocation basis of each claimed invoice: its line value per ASIN, in cents. Lines
    -- without an ASIN, and an ASIN whose lines net to zero or less, take no share of a claim.
    select i.invoice_key, l.asin, sum(l.amount * 100)::hugeint as weight
    from {{ ref('stg_netsuite_invoices') }} as i
    join {{ ref('stg_netsuite_invoice_lines') }} as l using (invoice_id)
    where l.asin is not null
      and i.invoice_key in (
        select base_invoice_key from charges where class_code in {{ invoice_classes }}
    )
    group by all
    having sum(l.amount) > 0
),

routed as (
    select
        *,
        class_code in {{ invoice_classes }}
            and coalesce(base_invoice_key in (select invoice_key from invoice_weights), false)
            as is_linked
    from charges
),

-- Pools of money to spread, as a signed cost in cents (cost = -cash: a deduction is positive).
-- Summed per day and class first: allocating each charge on its own would fan every one of
-- them out over every ASIN, and round each of them.
-- Each pool is numbered (pool_id: positive for invoice pools, negative for customer pools),
-- so that the spread below partitions on one integer, not on four columns two of them strings.
linked_pools as (
    select settlement_date, class_code, base_invoice_key as invoice_key,
           (-sum(amount) * 100)::bigint as cents, row_number() over () as pool_id
    from routed
    where is_linked
    group by all
),

unlinked_pools as (
    select customer_id, settlement_date, class_code, (-sum(amount) * 100)::bigint as cents,
           -row_number() over () as pool_id
    from routed
    where not is_linked
    group by all
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
    from (select distinct customer_id, settlement_date from unlinked_pools) as d
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

trailing_weights as (
    select customer_id, settlement_date, asin, (revenue * 100)::hugeint as weight
    from trailing_revenue
    where revenue > 0
),

-- A pool's total weight is its basis's: one invoice's, or one customer's on one day (the
-- same for every class of that day), summed once per basis rather than once per pool row.
invoice_weight_totals as (
    select invoice_key, sum(weight) as total_weight
    from invoice_weights
    group by all
),

trailing_weight_totals as (
    select customer_id, settlement_date, sum(weight) as total_weight
    from trailing_weights
    group by all
),

-- Each pool's mart column as a number (deduction_columns, from 1): the sums below test an
-- integer on each of the spread's millions of rows, not the class against a dozen names.
pools as (
    select
        pool_id,
        settlement_date,
        case
            {%- for column, classes in deduction_columns if classes %}
            when class_code in ('{{ classes | join("', '") }}') then {{ loop.index }}
            {%- endfor %}
            else {{ deduction_columns | length }}
        end as column_no,
        cents
    from (
        select pool_id, settlement_date, class_code, cents from linked_pools
        union all
        select pool_id, settlement_date, class_code, cents from unlinked_pools
    )
),

-- Every ASIN a pool can reach, numbered in asin order: the spread below carries and sorts this
-- integer, not the string, through its millions of rows (one per pool and ASIN).
asins as (
    select asin, row_number() over (order by asin) as asin_no
    from (
        select asin from invoice_weights
        union
        select asin from trailing_weights where asin is not null
        union
        select 'UNALLOCATED'
    )
),

pool_weights as (
    -- one row per pool and ASIN with the ASIN's weight and the pool's total weight; a pool with
    -- no basis goes whole to 'UNALLOCATED'. Only what the spread needs: the pool's day and
    -- class join back after it, so the sort below moves narrow rows.
    select p.pool_id, abs(p.cents) as abs_cents, w.asin, w.weight, t.total_weight
    from linked_pools as p
    join invoice_weights as w using (invoice_key)
    join invoice_weight_totals as t using (invoice_key)
    union all
    select p.pool_id, abs(p.cents) as abs_cents,
           coalesce(w.asin, 'UNALLOCATED') as asin, coalesce(w.weight, 1) as weight,
           coalesce(t.total_weight, 1) as total_weight
    from unlinked_pools as p
    left join trailing_weights as w
        on w.customer_id = p.customer_id and w.settlement_date = p.settlement_date
    left join trailing_weight_totals as t
        on t.customer_id = p.customer_id and t.settlement_date = p.settlement_date
),

-- Largest remainder method, in exact integer arithmetic: |pool| x weight / total weight gives
-- each ASIN's floor and a remainder comparable within the pool (same denominator). The product
-- needs 128 bits; the floor (at most the pool) and the remainder (below the total) fit in 64.
floored as (
    select
        w.pool_id,
        a.asin_no,
        w.abs_cents,
        (w.abs_cents::hugeint * w.weight // w.total_weight)::bigint as floor_cents,
        (w.abs_cents::hugeint * w.weight % w.total_weight)::bigint as remainder
    from pool_weights as w
    join asins as a using (asin)
),

ranked as (
    select
        pool_id,
        asin_no,
        floor_cents
            + (row_number() over (pool order by remainder desc, asin_no)
               <= abs_cents - sum(floor_cents) over pool)::int as abs_cost_cents
    from floored
    window pool as (partition by pool_id)
),

spread as (
    select p.settlement_date, r.asin_no, p.column_no, sign(p.cents) * r.abs_cost_cents as cost
    from ranked as r
    join pools as p using (pool_id)
),

-- In whole cents, as integers: summed exactly and cheaply, made money once per row below.
allocated_cents as (
    select
        asin_no,
        settlement_date as period_date,
        {%- for column, _ in deduction_columns %}
        sum(cost) filter (where column_no = {{ loop.index }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from spread
    group by all
),

allocated as (
    select
        a.asin,
        c.period_date,
        {%- for column, _ in deduction_columns %}
        c.{{ column }}::decimal(18, 0) * 0.01 as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from allocated_cents as c
    join asins as a using (asin_no)
),

combined as (
    -- every amount to the cent here, so that the totals below add up the columns as shown
    select
        coalesce(r.asin, a.asin) as asin,
        coalesce(r.period_date, a.period_date) as period_date,
        coalesce(r.units_invoiced, 0) as units_invoiced,
        coalesce(r.revenue_net_cost, 0)::decimal(18, 2) as revenue_net_cost,
        coalesce(a.coop, 0)::decimal(18, 2) as coop,
        coalesce(a.promotions, 0)::decimal(18, 2) as promotions,
        coalesce(a.price_protection, 0)::decimal(18, 2) as price_protection,
        coalesce(a.damage_allowance, 0)::decimal(18, 2) as damage_allowance,
        coalesce(a.freight_allowance, 0)::decimal(18, 2) as freight_allowance,
        coalesce(a.chargebacks, 0)::decimal(18, 2) as chargebacks,
        coalesce(a.shortages, 0)::decimal(18, 2) as shortages,
        coalesce(a.price_claims, 0)::decimal(18, 2) as price_claims,
        coalesce(a.returns, 0)::decimal(18, 2) as returns,
        coalesce(a.advertising, 0)::decimal(18, 2) as advertising,
        coalesce(a.terms_discounts, 0)::decimal(18, 2) as terms_discounts,
        coalesce(a.other_deductions, 0)::decimal(18, 2) as other_deductions,
        coalesce(r.cogs, 0)::decimal(18, 2) as cogs
    from revenue as r
    full outer join allocated as a on a.asin = r.asin and a.period_date = r.period_date
),

totalled as (
    select
        *,
        (coop + promotions + price_protection + damage_allowance + freight_allowance + chargebacks
            + shortages + price_claims + returns + advertising + terms_discounts + other_deductions
        )::decimal(18, 2) as total_deductions
    from combined
)

select
    asin || ':' || strftime(period_date, '%Y-%m-%d') as asin_period_id,
    asin,
    period_date,
    units_invoiced,
    revenue_net_cost,
    coop,
    promotions,
    price_protection,
    damage_allowance,
    freight_allowance,
    chargebacks,
    shortages,
    price_claims,
    returns,
    advertising,
    terms_discounts,
    other_deductions,
    total_deductions,
    cogs,
    (revenue_net_cost - total_deductions - cogs)::decimal(18, 2) as contribution_margin,
    case when revenue_net_cost <> 0 then
        ((revenue_net_cost - total_deductions - cogs) / revenue_net_cost)::double
    end as contribution_margin_pct
from totalled
