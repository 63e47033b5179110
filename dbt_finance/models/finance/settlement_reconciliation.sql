{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date',
    on_schema_change='append_new_columns'
) }}
-- Per payment and per settlement day: invoiced (I), paid (P), identified deductions (D),
-- terms discounts, timing items (T: provisions held back) and the unexplained variance
-- I - discounts - D - T - P, which must be zero to the cent (var variance_tolerance, default
-- 0.00, VARIANCE_TOLERANCE) before anything is posted.
-- Unmatched invoice lines (unapplied cash), unknown codes, short payments without a claim and
-- hidden lines all surface here as variance.
--
-- This model is also the posting gate: each payment row carries posting_blocked_reason (NULL =
-- postable), so a bad payment holds only itself. The dbt tests over the same conditions warn
-- instead of stopping the build: an error test would stop every model downstream and with it
-- the posting of every other payment of the day. Warehouses built before these columns existed
-- gain them (append_new_columns) with NULLs on days not rebuilt since; is_postable is NULL there,
-- and posting requires it to be true, so an old day is never posted unchecked.
with applied as (
    select
        payment_number,
        settlement_date,
        count(distinct invoice_id) filter (where apply_amount <> 0) as invoice_count,
        sum(case when apply_amount <> 0 then invoice_total else 0 end) as invoiced_amount,
        sum(apply_amount) as gross_applied,
        sum(case when match_type = 'UNMATCHED' then cash_amount else 0 end) as unapplied_cash,
        sum(cash_amount) as line_total
    from {{ ref('cash_application') }}
    where {{ settlement_window('settlement_date') }}
    group by all
),

charges as (
    select
        c.payment_number,
        sum(case when c.class_code = 'TERMS_DISCOUNT' then -c.amount else 0 end) as terms_discounts,
        sum(case when m.is_deduction and not m.is_timing_item and c.class_code <> 'TERMS_DISCOUNT'
                 then -c.amount else 0 end) as identified_deductions,
        sum(case when m.is_timing_item then -c.amount else 0 end) as timing_items,
        sum(case when m.class_code is null then -c.amount else 0 end) as unidentified_deductions,
        count(*) filter (where m.class_code is null) as unmapped_charge_count
    from {{ ref('int_settlement_charges') }} as c
    left join {{ ref('deduction_gl_mapping') }} as m using (class_code)
    where {{ settlement_window('c.settlement_date') }}
    group by all
),

journals as (
    -- balanced by construction (gl_postings adds a clearing line); checked again because a
    -- journal that does not balance must never reach NetSuite
    select settlement_id as payment_number, sum(debit) - sum(credit) as journal_imbalance
    from {{ ref('gl_postings') }}
    where {{ settlement_window('settlement_date') }}
    group by all
),

per_payment as (
    select
        'payment' as grain,
        s.payment_number as settlement_id,
        s.settlement_date,
        s.customer_id,
        s.vendor_code,
        s.currency,
        1 as payment_count,
        s.has_hidden_lines,
        coalesce(a.invoice_count, 0) as invoice_count,
        coalesce(a.invoiced_amount, 0) as invoiced_amount,
        coalesce(a.gross_applied, 0) as gross_applied,
        coalesce(a.unapplied_cash, 0) as unapplied_cash,
        coalesce(c.terms_discounts, 0) as terms_discounts,
        coalesce(c.identified_deductions, 0) as identified_deductions,
        coalesce(c.timing_items, 0) as timing_items,
        coalesce(c.unidentified_deductions, 0) as unidentified_deductions,
        coalesce(c.unmapped_charge_count, 0) as unmapped_charge_count,
        s.paid_amount,
        coalesce(a.line_total, 0) as line_total,
        coalesce(j.journal_imbalance, 0) as journal_imbalance
    from {{ ref('int_settlements') }} as s
    left join applied as a using (payment_number)
    left join charges as c using (payment_number)
    left join journals as j using (payment_number)
    where {{ settlement_window('s.settlement_date') }}
),

per_day as (
    select
        'day' as grain,
        strftime(settlement_date, '%Y-%m-%d') as settlement_id,
        settlement_date,
        null as customer_id,
        min(currency) as currency,
        count(*) as payment_count,
        bool_or(has_hidden_lines) as has_hidden_lines,
        sum(invoice_count) as invoice_count,
        sum(invoiced_amount) as invoiced_amount,
        sum(gross_applied) as gross_applied,
        sum(unapplied_cash) as unapplied_cash,
        sum(terms_discounts) as terms_discounts,
        sum(identified_deductions) as identified_deductions,
        sum(timing_items) as timing_items,
        sum(unidentified_deductions) as unidentified_deductions,
        sum(unmapped_charge_count) as unmapped_charge_count,
        sum(paid_amount) as paid_amount,
        sum(line_total) as line_total
    from per_payment
    group by settlement_date
),

unioned as (
    select * from per_payment
    union all by name
    select * from per_day
),

measured as (
    select
        grain || ':' || settlement_id as reconciliation_id,
        *,
        (paid_amount - line_total)::decimal(18, 2) as file_drift,
        (invoiced_amount - terms_discounts - identified_deductions - timing_items - paid_amount)::decimal(18, 2)
            as unexplained_variance,
        {{ run_var('variance_tolerance') }}::decimal(18, 2) as variance_tolerance,
        abs(invoiced_amount - terms_discounts - identified_deductions - timing_items - paid_amount)
            <= {{ run_var('variance_tolerance') }}::decimal(18, 2)
            as is_within_tolerance
    from unioned
),

gated as (
    -- Every cause that holds a payment, each led by the exception type that names it in
    -- ops.exceptions (settlement.detections); payment rows only, a day is never held as a whole.
    -- Fail closed: a measure that cannot be computed (NULL) holds the payment too.
    select
        *,
        case when grain = 'payment' then nullif(concat_ws('; ',
            case when unmapped_charge_count > 0 then 'unmapped_deduction_code: '
                || unmapped_charge_count || ' charge(s) without a GL account' end,
            case when is_within_tolerance is not true then 'unexplained_variance: '
                || coalesce(unexplained_variance::varchar, 'unknown') || ' beyond tolerance '
                || variance_tolerance end,
            case when file_drift is distinct from 0 then 'settlement_drift: payment differs from'
                || ' its lines by ' || coalesce(file_drift::varchar, 'an unknown amount') end,
            case when customer_id is null then 'settlement_customer_missing: vendor code '
                || coalesce(vendor_code, '(none)') || ' has no NetSuite customer' end,
            case when journal_imbalance <> 0 then 'unbalanced_journal: debits minus credits '
                || journal_imbalance end
        ), '') end as posting_blocked_reason
    from measured
)

select
    * exclude (journal_imbalance),
    case when grain = 'payment' then posting_blocked_reason is null end as is_postable,
    -- a payment row counts itself; a day row counts the day's held payments
    case
        when grain = 'payment' then (posting_blocked_reason is not null)::integer
        else count(*) filter (where grain = 'payment' and posting_blocked_reason is not null)
            over (partition by settlement_date)
    end as held_payment_count
from gated
